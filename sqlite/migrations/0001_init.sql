-- 0001_init: the logical schema of docs/STORAGE.md.
--
-- Times are INTEGER microseconds since the Unix epoch (UTC). JSON columns are
-- TEXT. Child tables reference profiles through (workspace_id, client_id) so
-- that the database itself refuses a row pointing into another workspace,
-- and so that every child index leading with (workspace_id, client_id) also
-- serves the foreign-key check when a profile row is deleted.

CREATE TABLE workspaces (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    name                TEXT    NOT NULL UNIQUE,
    identity_mode       TEXT    NOT NULL,
    uuid_policy         TEXT    NOT NULL,
    uuid_salt           TEXT    NOT NULL,
    blocked_identifiers TEXT,   -- JSON array; NULL means the default list
    allowed_origins     TEXT,   -- JSON array
    segment_user_id_as  TEXT    NOT NULL,
    created_at          INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT    PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    kind         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    hash         BLOB    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

-- AUTOINCREMENT because a clientId is never reused, even after the profile
-- with the highest id was merged away.
CREATE TABLE profiles (
    client_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces (id),
    email            TEXT,
    email_key        TEXT,  -- = email in email identity mode, else NULL
    custom_id        TEXT,
    recognized       INTEGER NOT NULL,
    attributes       TEXT    NOT NULL,
    agreements       TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL
);
-- The parent key of every child table's foreign key.
CREATE UNIQUE INDEX profiles_workspace_client ON profiles (workspace_id, client_id);
-- Partial indexes: most profiles are anonymous, and NULLs need no entry.
CREATE UNIQUE INDEX profiles_email_key ON profiles (workspace_id, email_key) WHERE email_key IS NOT NULL;
CREATE UNIQUE INDEX profiles_custom_id ON profiles (workspace_id, custom_id) WHERE custom_id IS NOT NULL;
CREATE INDEX profiles_email ON profiles (workspace_id, email) WHERE email IS NOT NULL;
CREATE INDEX profiles_recognized ON profiles (workspace_id, recognized, client_id);

-- id is the attach order (FindProfile lists uuids by it).
CREATE TABLE profile_uuids (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    uuid         TEXT    NOT NULL,
    client_id    INTEGER NOT NULL,
    UNIQUE (workspace_id, uuid),
    FOREIGN KEY (workspace_id, client_id) REFERENCES profiles (workspace_id, client_id)
);
CREATE INDEX profile_uuids_client ON profile_uuids (workspace_id, client_id, id);

CREATE TABLE profile_tags (
    workspace_id INTEGER NOT NULL,
    client_id    INTEGER NOT NULL,
    tag          TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, client_id, tag),
    FOREIGN KEY (workspace_id, client_id) REFERENCES profiles (workspace_id, client_id)
) WITHOUT ROWID;
CREATE INDEX profile_tags_tag ON profile_tags (workspace_id, tag, client_id);

-- old_client_id is a merged-away profile; client_id its survivor (rows are
-- repointed when the survivor is merged in turn, so one lookup suffices).
CREATE TABLE merged_ids (
    old_client_id INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL,
    client_id     INTEGER NOT NULL,
    FOREIGN KEY (workspace_id, client_id) REFERENCES profiles (workspace_id, client_id)
);
CREATE INDEX merged_ids_client ON merged_ids (workspace_id, client_id);

-- seq is the rowid: store-assigned and increasing (AUTOINCREMENT: never
-- reused, so a timeline cursor never points at a different event).
CREATE TABLE events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL,
    event_id     TEXT    NOT NULL,
    client_id    INTEGER NOT NULL,
    action       TEXT    NOT NULL,
    label        TEXT    NOT NULL,
    time         INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    source       TEXT    NOT NULL,
    params       TEXT,
    client       TEXT    NOT NULL,
    context      TEXT    NOT NULL,
    FOREIGN KEY (workspace_id, client_id) REFERENCES profiles (workspace_id, client_id)
);
CREATE UNIQUE INDEX events_event_id ON events (workspace_id, event_id);
-- Scanned backwards for the newest-first timeline.
CREATE INDEX events_timeline ON events (workspace_id, client_id, time, seq);

CREATE TABLE devices (
    workspace_id INTEGER NOT NULL,
    client_id    INTEGER NOT NULL,
    browser      TEXT    NOT NULL,
    os           TEXT    NOT NULL,
    device_type  TEXT    NOT NULL,
    last_seen_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, client_id, browser, os, device_type),
    FOREIGN KEY (workspace_id, client_id) REFERENCES profiles (workspace_id, client_id)
) WITHOUT ROWID;

CREATE TABLE attribute_defs (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    name         TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    is_default   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, name)
) WITHOUT ROWID;

CREATE TABLE tags (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    name         TEXT    NOT NULL,
    color        TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, name)
) WITHOUT ROWID;

-- The merge journal outlives the profiles it names, so it has no foreign
-- keys to them.
CREATE TABLE merges (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    target_id    INTEGER NOT NULL,
    source_ids   TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    moved        TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX merges_target ON merges (workspace_id, target_id);

CREATE TABLE notes (
    note_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL,
    client_id    INTEGER NOT NULL,
    text         TEXT    NOT NULL,
    author       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    FOREIGN KEY (workspace_id, client_id) REFERENCES profiles (workspace_id, client_id)
);
CREATE INDEX notes_client ON notes (workspace_id, client_id);
