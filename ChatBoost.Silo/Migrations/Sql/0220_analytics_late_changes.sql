-- Analytics: late changes and the rollup reads (issue 13; docs/analytics.md, "Aggregation" and "Queries and caching").
--
-- Delivery figures and flow outcomes are cohorts by the row's creation time (messages.created_at,
-- flow_executions.started_at), so a status that changes a row created earlier than the aggregation's own windows
-- recompute (the hourly run reaches 24 hours back) must recompute that row's UTC day. These triggers mark the day:
-- one row per (bot, UTC day), its version moved by every later mark, so the aggregation deletes exactly the marks it
-- saw (a mark made while it ran has a higher version, or waits on the row lock and then has one, and survives).
CREATE TABLE analytics_dirty_days (
    bot_id     bigint      NOT NULL,
    date       date        NOT NULL,
    version    bigint      NOT NULL,
    marked_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bot_id, date)
);

CREATE SEQUENCE analytics_dirty_days_version_seq;

CREATE FUNCTION analytics_mark_late_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO analytics_dirty_days (bot_id, date, version)
    VALUES (NEW.bot_id, (NEW.created_at AT TIME ZONE 'UTC')::date, nextval('analytics_dirty_days_version_seq'))
    ON CONFLICT (bot_id, date) DO UPDATE SET version = excluded.version, marked_at = excluded.marked_at;
    RETURN NULL;
END;
$$;

CREATE FUNCTION analytics_mark_late_execution() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO analytics_dirty_days (bot_id, date, version)
    VALUES (NEW.bot_id, (NEW.started_at AT TIME ZONE 'UTC')::date, nextval('analytics_dirty_days_version_seq'))
    ON CONFLICT (bot_id, date) DO UPDATE SET version = excluded.version, marked_at = excluded.marked_at;
    RETURN NULL;
END;
$$;

-- 22 hours: the hourly run at the start of the next hour covers the 24 hours before it, so a change to a row younger
-- than this is recomputed anyway (with two hours of margin for a commit that lands after that run's snapshot).
-- The WHEN clause keeps the common case (a status of a message sent minutes ago) free of any extra write.
CREATE TRIGGER messages_analytics_late_status AFTER UPDATE OF status, sent_at ON messages
    FOR EACH ROW WHEN ((OLD.status, OLD.sent_at) IS DISTINCT FROM (NEW.status, NEW.sent_at) AND OLD.created_at < now() - interval '22 hours')
    EXECUTE FUNCTION analytics_mark_late_message();

CREATE TRIGGER flow_executions_analytics_late_status AFTER UPDATE OF status ON flow_executions
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND OLD.started_at < now() - interval '22 hours')
    EXECUTE FUNCTION analytics_mark_late_execution();

ALTER TABLE analytics_aggregation_runs DROP CONSTRAINT analytics_aggregation_runs_kind_check;
ALTER TABLE analytics_aggregation_runs ADD CONSTRAINT analytics_aggregation_runs_kind_check
    CHECK (kind IN ('tick', 'hourly', 'daily', 'cleanup', 'manual', 'late'));

-- The distinct-contact counts of a range (active, returning) read a bot's activity rows of the range: covering them
-- makes that an index-only scan instead of one heap visit per row (thousands per bot over 90 days).
CREATE INDEX contact_activity_hourly_reads_idx ON contact_activity_hourly (bot_id, hour) INCLUDE (contact_wa_id, contact_created_at);
