-- Analytics rollups (issue 13; definitions in docs/analytics.md, code in ChatBoost.Grains/Analytics/StatsDefinitions.cs).
-- Filled only by the aggregation (AnalyticsAggregator), which folds raw rows per bot and UTC hour and replaces what a
-- range held: running it twice leaves the same rows (a row's computed_at moves only when one of its figures changed).
-- The endpoints read these tables and never the raw rows.

-- One bot's figures for one UTC hour; kept ANALYTICS_HOURLY_RETENTION_DAYS (8).
CREATE TABLE hourly_message_stats (
    bot_id             bigint      NOT NULL,
    organization_id    bigint      NOT NULL,
    hour               timestamptz NOT NULL CHECK (date_trunc('hour', hour AT TIME ZONE 'UTC') = hour AT TIME ZONE 'UTC'),
    total_messages     bigint      NOT NULL CHECK (total_messages = inbound_messages + outbound_messages),
    inbound_messages   bigint      NOT NULL,
    outbound_messages  bigint      NOT NULL,
    inbound_by_type    jsonb       NOT NULL,
    outbound_by_type   jsonb       NOT NULL,
    sent               bigint      NOT NULL,
    delivered          bigint      NOT NULL,
    read               bigint      NOT NULL,
    failed             bigint      NOT NULL,
    in_doubt           bigint      NOT NULL,
    responses          bigint      NOT NULL,
    response_ms_total  bigint      NOT NULL,
    active_contacts    bigint      NOT NULL,
    new_contacts       bigint      NOT NULL,
    flows_started      bigint      NOT NULL,
    flows_completed    bigint      NOT NULL,
    flows_failed       bigint      NOT NULL,
    flows_triggered    bigint      NOT NULL,
    computed_at        timestamptz NOT NULL,
    PRIMARY KEY (bot_id, hour)
);

CREATE INDEX hourly_message_stats_hour_idx ON hourly_message_stats (hour);

-- One bot's figures for one UTC day (the seed's DailyMessageStats); kept ANALYTICS_DAILY_RETENTION_DAYS (90).
-- active_contacts is the day's distinct contacts (not the sum of its hours').
CREATE TABLE daily_message_stats (
    bot_id             bigint      NOT NULL,
    organization_id    bigint      NOT NULL,
    date               date        NOT NULL,
    total_messages     bigint      NOT NULL CHECK (total_messages = inbound_messages + outbound_messages),
    inbound_messages   bigint      NOT NULL,
    outbound_messages  bigint      NOT NULL,
    inbound_by_type    jsonb       NOT NULL,
    outbound_by_type   jsonb       NOT NULL,
    sent               bigint      NOT NULL,
    delivered          bigint      NOT NULL,
    read               bigint      NOT NULL,
    failed             bigint      NOT NULL,
    in_doubt           bigint      NOT NULL,
    responses          bigint      NOT NULL,
    response_ms_total  bigint      NOT NULL,
    active_contacts    bigint      NOT NULL,
    new_contacts       bigint      NOT NULL,
    flows_started      bigint      NOT NULL,
    flows_completed    bigint      NOT NULL,
    flows_failed       bigint      NOT NULL,
    flows_triggered    bigint      NOT NULL,
    computed_at        timestamptz NOT NULL,
    PRIMARY KEY (bot_id, date)
);

CREATE INDEX daily_message_stats_date_idx ON daily_message_stats (date);

-- The distinct-contact rollup: a contact with at least one message in an hour. Active contacts of any range are the
-- distinct contacts of its hours; returning ones were created before the range. Kept as long as the daily rollup.
CREATE TABLE contact_activity_hourly (
    bot_id              bigint      NOT NULL,
    hour                timestamptz NOT NULL,
    contact_wa_id       text        NOT NULL,
    contact_created_at  timestamptz,
    PRIMARY KEY (bot_id, hour, contact_wa_id)
);

CREATE INDEX contact_activity_hourly_hour_idx ON contact_activity_hourly (hour);

-- What the aggregation did last, per kind (tick, hourly, daily, cleanup, manual): GET /analytics/health.
CREATE TABLE analytics_aggregation_runs (
    kind          text        PRIMARY KEY CHECK (kind IN ('tick', 'hourly', 'daily', 'cleanup', 'manual')),
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    range_start   timestamptz,
    range_end     timestamptz,
    rows_changed  bigint      NOT NULL DEFAULT 0,
    duration_ms   bigint      NOT NULL DEFAULT 0,
    error         text
);

-- The aggregation reads raw rows by time range (an hour every minute, a day at night).
CREATE INDEX messages_created_at_idx ON messages (created_at);
CREATE INDEX contacts_created_at_idx ON contacts (created_at);
CREATE INDEX flow_executions_started_at_idx ON flow_executions (started_at);

-- The per-node funnel (GET /analytics/flows/{flow_id}/funnel) reads a flow's node_entered events of the period and the
-- later entries of the same executions, through these two partial indexes (node events only).
CREATE INDEX contact_events_flow_entries_idx ON contact_events (flow_id, occurred_at) WHERE type = 'node_entered';
CREATE INDEX contact_events_execution_entries_idx ON contact_events (execution_id, id) WHERE type = 'node_entered';
