-- The per-node funnel as a rollup (issue 13; docs/analytics.md, "The per-node funnel"). The funnel used to be counted
-- at query time from the flow's node events: 554 ms p99 over 90 days at the benchmark's size. Now the aggregation keeps,
-- per flow, UTC hour of the entry, flow version and node, what became of that hour's entries, and the query sums hours.
--
-- An entry's outcome changes when its execution moves on later (a next node, an end, a cancellation), so each
-- aggregation recomputes every (flow, hour) cell that holds an entry of an execution with activity in its window:
-- an outlet event (node entered, flow completed or failed) or a cancellation (which has no event; the partial index
-- below finds it). Entries themselves never change, so the distinct executions of a range come from
-- flow_execution_hours, which only grows (and is cleaned past the daily retention).
CREATE TABLE flow_node_hourly_stats (
    flow_id       bigint      NOT NULL,
    hour          timestamptz NOT NULL CHECK (date_trunc('hour', hour AT TIME ZONE 'UTC') = hour AT TIME ZONE 'UTC'),
    flow_version  integer     NOT NULL,
    node_id       bigint      NOT NULL,
    node_type     text,
    entered       bigint      NOT NULL CHECK (entered = left_count + failed + dropped_off + still_there),
    left_count    bigint      NOT NULL,
    waited        bigint      NOT NULL,
    failed        bigint      NOT NULL,
    dropped_off   bigint      NOT NULL,
    still_there   bigint      NOT NULL,
    computed_at   timestamptz NOT NULL,
    PRIMARY KEY (flow_id, hour, flow_version, node_id)
);

CREATE INDEX flow_node_hourly_stats_hour_idx ON flow_node_hourly_stats (hour);

-- One row per execution and hour in which it entered a node of the flow: the range's distinct executions.
CREATE TABLE flow_execution_hours (
    flow_id       bigint      NOT NULL,
    hour          timestamptz NOT NULL,
    flow_version  integer     NOT NULL,
    execution_id  bigint      NOT NULL,
    PRIMARY KEY (flow_id, hour, flow_version, execution_id)
);

CREATE INDEX flow_execution_hours_hour_idx ON flow_execution_hours (hour);

-- Cancellations in a window (they change the outcome of the execution's last entry and write no outlet event). A row
-- enters this partial index only when it is cancelled: no other step writes to it.
CREATE INDEX flow_executions_cancelled_idx ON flow_executions (ended_at) WHERE status = 'cancelled';
