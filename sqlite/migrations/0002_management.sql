-- 0002_management: what the profile management API needs (docs/STORAGE.md).
--
-- Profile search: case-insensitive prefix matching on customId and the
-- name attributes through expression indexes on kith_fold(), a
-- deterministic Go function the sqlite package registers with the driver
-- (SQLite's own lower() folds ASCII only, and "Łukasz" must find "łukasz").
-- Emails are stored lower-cased and uuids are lower-case already, so their
-- existing indexes serve prefix ranges as they are.
-- Each index is partial on its own expression being non-null, so that a
-- range on the expression implies the index's condition and SQLite reads
-- the clientIds from the index alone (a covering index).
CREATE INDEX profiles_custom_id_fold ON profiles (workspace_id, kith_fold(custom_id))
    WHERE kith_fold(custom_id) IS NOT NULL;
CREATE INDEX profiles_first_name_fold ON profiles (workspace_id, kith_fold(json_extract(attributes, '$.firstName')))
    WHERE kith_fold(json_extract(attributes, '$.firstName')) IS NOT NULL;
CREATE INDEX profiles_last_name_fold ON profiles (workspace_id, kith_fold(json_extract(attributes, '$.lastName')))
    WHERE kith_fold(json_extract(attributes, '$.lastName')) IS NOT NULL;
CREATE INDEX profiles_display_name_fold ON profiles (workspace_id, kith_fold(json_extract(attributes, '$.displayName')))
    WHERE kith_fold(json_extract(attributes, '$.displayName')) IS NOT NULL;

-- Profile counts by workspace, kept by triggers, so that the stats
-- endpoint reads one row instead of counting a million index entries.
CREATE TABLE profile_counts (
    workspace_id INTEGER PRIMARY KEY,
    total        INTEGER NOT NULL,
    recognized   INTEGER NOT NULL
);
INSERT INTO profile_counts (workspace_id, total, recognized)
    SELECT workspace_id, count(*), sum(recognized <> 0) FROM profiles GROUP BY workspace_id;

CREATE TRIGGER profiles_count_insert AFTER INSERT ON profiles BEGIN
    INSERT INTO profile_counts (workspace_id, total, recognized)
        VALUES (new.workspace_id, 1, new.recognized <> 0)
        ON CONFLICT (workspace_id) DO UPDATE SET total = total + 1, recognized = recognized + (new.recognized <> 0);
END;
CREATE TRIGGER profiles_count_delete AFTER DELETE ON profiles BEGIN
    UPDATE profile_counts SET total = total - 1, recognized = recognized - (old.recognized <> 0)
        WHERE workspace_id = old.workspace_id;
END;
CREATE TRIGGER profiles_count_recognized AFTER UPDATE OF recognized ON profiles
    WHEN (old.recognized <> 0) <> (new.recognized <> 0) BEGIN
    UPDATE profile_counts SET recognized = recognized + (new.recognized <> 0) - (old.recognized <> 0)
        WHERE workspace_id = new.workspace_id;
END;

-- Identifiers of erased profiles whose data is refused (GDPR erasure with
-- suppression): SHA-256 hashes only, never the values.
CREATE TABLE suppressed_identifiers (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    hash         BLOB    NOT NULL,
    kind         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, hash)
) WITHOUT ROWID;

-- Notes are listed newest first.
CREATE INDEX notes_client_created ON notes (workspace_id, client_id, created_at, note_id);
DROP INDEX notes_client;
