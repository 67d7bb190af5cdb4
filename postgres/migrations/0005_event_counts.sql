-- 0005_event_counts: the dashboard and the checklist count a workspace's
-- recent events from a table of counts per hour and action instead of
-- counting events through an index: a count then reads a few rows whatever
-- the traffic, and every event insert has one index less to write. hour is
-- the start of the hour (UTC) of the events' received_at.
--
-- A statement-level trigger keeps the counts, from the rows each insert
-- really added (ON CONFLICT DO NOTHING leaves duplicates out of the
-- transition table), whichever node inserts: nodes of an older version
-- count their events too during a rolling upgrade.
--
-- Each connection adds to its own shard of a count (its backend pid modulo
-- 64), as profile_counts does, so that concurrent transactions, which hold
-- a counted row locked until they commit, seldom wait for each other on
-- the same hour and action; rows are added in key order, so that those
-- that do wait cannot deadlock on them. A count is the sum of its shards.
CREATE TABLE event_counts (
    workspace_id bigint      NOT NULL,
    hour         timestamptz NOT NULL,
    action       text        NOT NULL,
    shard        smallint    NOT NULL,
    count        bigint      NOT NULL,
    PRIMARY KEY (workspace_id, hour, action, shard)
);

CREATE FUNCTION kith_count_events() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO event_counts AS c (workspace_id, hour, action, shard, count)
        SELECT workspace_id, date_trunc('hour', received_at, 'UTC'), action, pg_backend_pid() % 64, count(*)
        FROM inserted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (workspace_id, hour, action, shard) DO UPDATE SET count = c.count + EXCLUDED.count;
    RETURN NULL;
END
$$;

-- The trigger comes before the count of the events already stored: it
-- locks events against inserts until this migration commits, so that
-- every event is counted once, by the count below or by the trigger.
CREATE TRIGGER events_count AFTER INSERT ON events REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION kith_count_events();

INSERT INTO event_counts (workspace_id, hour, action, shard, count)
    SELECT workspace_id, date_trunc('hour', received_at, 'UTC'), action, 0, count(*)
    FROM events GROUP BY 1, 2, 3;

DROP INDEX events_recent;
