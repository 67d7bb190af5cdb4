-- 0002_management: what the profile management API needs (docs/STORAGE.md).
--
-- Profile search: case-insensitive prefix matching (LIKE 'q%' on lower())
-- needs text_pattern_ops indexes, which compare bytes whatever the
-- database's collation. Partial: most profiles are anonymous and nameless.
CREATE INDEX profiles_email_prefix_idx ON profiles (workspace_id, email text_pattern_ops)
    WHERE email IS NOT NULL;
CREATE INDEX profiles_custom_id_fold_idx ON profiles (workspace_id, lower(custom_id) text_pattern_ops)
    WHERE custom_id IS NOT NULL;
CREATE INDEX profiles_first_name_fold_idx ON profiles (workspace_id, lower(attributes ->> 'firstName') text_pattern_ops)
    WHERE attributes ? 'firstName';
CREATE INDEX profiles_last_name_fold_idx ON profiles (workspace_id, lower(attributes ->> 'lastName') text_pattern_ops)
    WHERE attributes ? 'lastName';
CREATE INDEX profiles_display_name_fold_idx ON profiles (workspace_id, lower(attributes ->> 'displayName') text_pattern_ops)
    WHERE attributes ? 'displayName';
CREATE INDEX profile_uuids_prefix_idx ON profile_uuids (workspace_id, uuid text_pattern_ops);

-- Profile counts, kept by triggers, so that the stats endpoint sums a few
-- rows instead of counting a million index entries. Each connection
-- counts into its own shard (its backend pid modulo 64) so that
-- concurrent transactions creating profiles rarely wait on one counter
-- row, and a transaction touches one row per workspace, so two of them
-- cannot deadlock on counters.
CREATE TABLE profile_counts (
    workspace_id bigint NOT NULL,
    shard        int    NOT NULL,
    total        bigint NOT NULL,
    recognized   bigint NOT NULL,
    CONSTRAINT profile_counts_pkey PRIMARY KEY (workspace_id, shard)
);
INSERT INTO profile_counts (workspace_id, shard, total, recognized)
    SELECT workspace_id, 0, count(*), count(*) FILTER (WHERE recognized) FROM profiles GROUP BY workspace_id;

CREATE FUNCTION kith_count_profiles() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ws    bigint;
    total bigint := 0;
    recog bigint := 0;
BEGIN
    IF TG_OP = 'INSERT' THEN
        ws := NEW.workspace_id; total := 1; recog := NEW.recognized::int;
    ELSIF TG_OP = 'DELETE' THEN
        ws := OLD.workspace_id; total := -1; recog := -(OLD.recognized::int);
    ELSE
        ws := NEW.workspace_id; recog := NEW.recognized::int - OLD.recognized::int;
    END IF;
    INSERT INTO profile_counts AS c (workspace_id, shard, total, recognized)
        VALUES (ws, pg_backend_pid() % 64, total, recog)
        ON CONFLICT (workspace_id, shard)
        DO UPDATE SET total = c.total + EXCLUDED.total, recognized = c.recognized + EXCLUDED.recognized;
    RETURN NULL;
END
$$;
CREATE TRIGGER profiles_count AFTER INSERT OR DELETE ON profiles
    FOR EACH ROW EXECUTE FUNCTION kith_count_profiles();
CREATE TRIGGER profiles_count_recognized AFTER UPDATE OF recognized ON profiles
    FOR EACH ROW WHEN (OLD.recognized IS DISTINCT FROM NEW.recognized)
    EXECUTE FUNCTION kith_count_profiles();

-- Identifiers of erased profiles whose data is refused (GDPR erasure with
-- suppression): SHA-256 hashes only, never the values.
CREATE TABLE suppressed_identifiers (
    workspace_id bigint      NOT NULL REFERENCES workspaces (id),
    hash         bytea       NOT NULL,
    kind         text        NOT NULL,
    created_at   timestamptz NOT NULL,
    CONSTRAINT suppressed_identifiers_pkey PRIMARY KEY (workspace_id, hash)
);

-- Notes are listed newest first.
CREATE INDEX notes_client_created_idx ON notes (workspace_id, client_id, created_at, note_id);
DROP INDEX notes_client_idx;
