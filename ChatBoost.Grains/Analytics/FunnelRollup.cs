using Npgsql;

namespace ChatBoost.Grains.Analytics;

/// <summary>What one funnel refresh changed: rows written or deleted, and the flows whose funnel rows changed.</summary>
public sealed record FunnelRefresh(long RowsChanged, IReadOnlyList<long> ChangedFlows);

/// <summary>
/// Keeps the per-node funnel rollup (<c>flow_node_hourly_stats</c>, <c>flow_execution_hours</c>, migration 0250) in step
/// with the outlet's node events, inside the aggregation's transaction. An entry's outcome depends on what its execution
/// did later, so every (flow, UTC hour) cell holding an entry of an execution with activity in the window — a node
/// event, an end, or a cancellation — is recomputed whole from the node events of that hour and written like the other
/// rollups: rows whose figures are unchanged are not rewritten, rows the recomputation no longer produces are deleted.
/// A second identical run changes nothing.
/// <para>Per entry, looking at its execution now: <b>left</b> — it entered a node after it, or completed after it not
/// by this wait timing out; <b>failed</b> — its last entry, and it failed; <b>dropped off</b> — its last entry, and it
/// was cancelled, or this node's wait timed out and the flow ended; <b>still there</b> — its last entry, and it is
/// active. The four are disjoint and add up to <b>entered</b>. <b>Waited</b>: the execution logged a wait at the node.
/// A timeout belongs to the last entry when it was logged after that entry (a wait lasts at least a second).</para>
/// </summary>
public static class FunnelRollup
{
    // The LATERAL subqueries end in OFFSET 0 so that the planner keeps them per-row index look-ups (by execution, by flow
    // and hour, by id): flattened, it hash-joined the whole node-event index and flow_executions, a sequential scan of
    // each per run (0.58 s a day at the benchmark's size, and growing with the history, where the look-ups stay with the
    // window's executions).
    private static readonly string RefreshSql = $"""
        WITH touched AS (
            SELECT execution_id FROM contact_events
            WHERE occurred_at >= @from AND occurred_at < @to AND type IN ('node_entered', 'flow_completed', 'flow_failed')
              AND {BotFilter.Sql("bot_id")}
            UNION
            SELECT id FROM flow_executions
            WHERE status = 'cancelled' AND ended_at >= @from AND ended_at < @to AND {BotFilter.Sql("bot_id")}
        ), cells AS (
            SELECT DISTINCT e.flow_id, e.hour
            FROM touched t CROSS JOIN LATERAL (
                SELECT flow_id, date_trunc('hour', occurred_at, 'UTC') AS hour FROM contact_events
                WHERE type = 'node_entered' AND execution_id = t.execution_id AND occurred_at >= @horizon OFFSET 0) e
        ), entries AS (
            SELECT c.flow_id, c.hour, e.execution_id, e.node_id, e.occurred_at, e.data->>'node_type' AS node_type,
                   EXISTS (SELECT 1 FROM contact_events n
                           WHERE n.type = 'node_entered' AND n.execution_id = e.execution_id AND n.id > e.id) AS moved_on
            FROM cells c CROSS JOIN LATERAL (
                SELECT id, execution_id, node_id, occurred_at, data FROM contact_events
                WHERE type = 'node_entered' AND flow_id = c.flow_id AND occurred_at >= c.hour AND occurred_at < c.hour + interval '1 hour'
                OFFSET 0) e
        ), classified AS (
            SELECT n.flow_id, n.hour, x.flow_version, n.node_id, n.node_type, n.moved_on, x.status,
                   EXISTS (SELECT 1 FROM flow_execution_logs l
                           WHERE l.execution_id = n.execution_id AND l.node_id = n.node_id AND l.event = 'waiting') AS waited,
                   NOT n.moved_on AND x.status = 'completed'
                       AND EXISTS (SELECT 1 FROM flow_execution_logs l
                                   WHERE l.execution_id = n.execution_id AND l.node_id = n.node_id AND l.event = 'timeout'
                                     AND l.created_at > n.occurred_at) AS timed_out
            FROM entries n CROSS JOIN LATERAL (SELECT flow_version, status FROM flow_executions WHERE id = n.execution_id OFFSET 0) x
        ), fresh AS (
            SELECT flow_id, hour, flow_version, node_id, max(node_type) AS node_type,
                   count(*) AS entered,
                   count(*) FILTER (WHERE moved_on OR (status = 'completed' AND NOT timed_out)) AS left_count,
                   count(*) FILTER (WHERE waited) AS waited,
                   count(*) FILTER (WHERE NOT moved_on AND status = 'failed') AS failed,
                   count(*) FILTER (WHERE NOT moved_on AND (status = 'cancelled' OR timed_out)) AS dropped_off,
                   count(*) FILTER (WHERE NOT moved_on AND status IN ('running', 'waiting', 'waiting_for_reply')) AS still_there
            FROM classified
            GROUP BY flow_id, hour, flow_version, node_id
        ), upserted AS (
            INSERT INTO flow_node_hourly_stats AS t
                (flow_id, hour, flow_version, node_id, node_type, entered, left_count, waited, failed, dropped_off, still_there, computed_at)
            SELECT flow_id, hour, flow_version, node_id, node_type, entered, left_count, waited, failed, dropped_off, still_there, @now
            FROM fresh ORDER BY flow_id, hour, flow_version, node_id
            ON CONFLICT (flow_id, hour, flow_version, node_id) DO UPDATE SET
                node_type = excluded.node_type, entered = excluded.entered, left_count = excluded.left_count, waited = excluded.waited,
                failed = excluded.failed, dropped_off = excluded.dropped_off, still_there = excluded.still_there,
                computed_at = excluded.computed_at
            WHERE (t.node_type, t.entered, t.left_count, t.waited, t.failed, t.dropped_off, t.still_there)
                IS DISTINCT FROM (excluded.node_type, excluded.entered, excluded.left_count, excluded.waited, excluded.failed,
                                  excluded.dropped_off, excluded.still_there)
            RETURNING t.flow_id
        ), deleted AS (
            DELETE FROM flow_node_hourly_stats t USING cells c
            WHERE t.flow_id = c.flow_id AND t.hour = c.hour
              AND NOT EXISTS (SELECT 1 FROM fresh f
                              WHERE f.flow_id = t.flow_id AND f.hour = t.hour AND f.flow_version = t.flow_version AND f.node_id = t.node_id)
            RETURNING t.flow_id
        )
        SELECT flow_id FROM upserted UNION ALL SELECT flow_id FROM deleted
        """;

    // Entries never change, so the executions of an hour only grow: the window's entries are added, nothing recomputed.
    private static readonly string ExecutionHoursSql = $"""
        INSERT INTO flow_execution_hours (flow_id, hour, flow_version, execution_id)
        SELECT DISTINCT e.flow_id, date_trunc('hour', e.occurred_at, 'UTC'), x.flow_version, e.execution_id
        FROM contact_events e CROSS JOIN LATERAL (SELECT flow_version FROM flow_executions WHERE id = e.execution_id OFFSET 0) x
        WHERE e.type = 'node_entered' AND e.occurred_at >= @from AND e.occurred_at < @to AND e.occurred_at >= @horizon
          AND {BotFilter.Sql("e.bot_id")}
        ORDER BY 1, 2, 3, 4
        ON CONFLICT DO NOTHING
        """;

    /// <summary>
    /// Brings the funnel rows up to date with the activity of [from, to) of <paramref name="bots"/> (null: every bot),
    /// for entries at or after <paramref name="horizon"/>, in <paramref name="transaction"/>.
    /// </summary>
    public static async Task<FunnelRefresh> RefreshAsync(
        DateTimeOffset from, DateTimeOffset to, DateTimeOffset horizon, IReadOnlyCollection<long>? bots, DateTimeOffset now,
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        // JIT compiling these plans (their estimates pass jit_above_cost) took longer than running them.
        await using (var jit = new NpgsqlCommand("SET LOCAL jit = off", connection, transaction))
        {
            await jit.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        long rows;
        await using (var hours = Command(ExecutionHoursSql, from, to, horizon, bots, connection, transaction))
        {
            rows = await hours.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var flows = new List<long>();
        await using (var refresh = Command(RefreshSql, from, to, horizon, bots, connection, transaction))
        {
            refresh.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
            await using var reader = await refresh.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                flows.Add(reader.GetInt64(0));
            }
        }

        return new FunnelRefresh(rows + flows.Count, flows.Distinct().Order().ToList());
    }

    private static NpgsqlCommand Command(
        string sql, DateTimeOffset from, DateTimeOffset to, DateTimeOffset horizon, IReadOnlyCollection<long>? bots,
        NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", from));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", to));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("horizon", horizon));
        BotFilter.Add(command, bots);
        return command;
    }
}
