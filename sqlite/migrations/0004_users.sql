-- 0004_users: people who sign in to the admin UI, and their sessions.
-- Emails are unique across the installation: an email alone says which
-- workspace a user signs in to. Session tokens are stored as hashes.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX users_workspace ON users (workspace_id);

CREATE TABLE user_sessions (
    hash         BLOB    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    workspace_id INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);

-- The dashboard and the checklist count a workspace's recent events.
CREATE INDEX events_recent ON events (workspace_id, received_at, action);
