-- 0005_event_counts: the dashboard and the checklist count a workspace's
-- recent events from a table of counts per hour and action, which the
-- events insert keeps, instead of counting events through an index: a
-- count then reads a few rows whatever the traffic, and every event insert
-- has one index less to write. hour is the start of the hour (UTC) of the
-- events' received_at.
--
-- Each connection adds to its own shard of a count (its backend pid modulo
-- 64), so that concurrent transactions, which hold a counted row locked
-- until they commit, seldom wait for each other on the same hour and
-- action. A count is the sum of its shards.
CREATE TABLE event_counts (
    workspace_id bigint      NOT NULL,
    hour         timestamptz NOT NULL,
    action       text        NOT NULL,
    shard        smallint    NOT NULL,
    count        bigint      NOT NULL,
    PRIMARY KEY (workspace_id, hour, action, shard)
);

INSERT INTO event_counts (workspace_id, hour, action, shard, count)
    SELECT workspace_id, date_trunc('hour', received_at, 'UTC'), action, 0, count(*)
    FROM events GROUP BY 1, 2, 3;

DROP INDEX events_recent;
