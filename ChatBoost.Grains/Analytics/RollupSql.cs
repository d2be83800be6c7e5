using System.Text.Json;
using ChatBoost.Grains.Interfaces.Analytics;
using Npgsql;
using NpgsqlTypes;

namespace ChatBoost.Grains.Analytics;

/// <summary>A rollup row to store: a bot's figures for the bucket starting at <see cref="Start"/> (a UTC hour or day).</summary>
public sealed record RollupRecord(long BotId, long OrganizationId, DateTimeOffset Start, StatsValues Values, long ActiveContacts);

/// <summary>
/// The statements shared by the two rollup tables, which have the same figure columns and differ in their bucket key
/// (<c>hour</c> timestamptz, or <c>date</c> date from the UTC day's start).
/// </summary>
public static class RollupSql
{
    public const string Figures =
        "total_messages, inbound_messages, outbound_messages, inbound_by_type, outbound_by_type, sent, delivered, read, failed, " +
        "in_doubt, responses, response_ms_total, active_contacts, new_contacts, flows_started, flows_completed, flows_failed, flows_triggered";

    public sealed record Table(string Name, string Key, string KeyFromStart);

    public static readonly Table Hourly = new("hourly_message_stats", "hour", "d.start");
    public static readonly Table Daily = new("daily_message_stats", "date", "(d.start AT TIME ZONE 'UTC')::date");

    /// <summary>
    /// Upserts the rows; a row is rewritten (and its <c>computed_at</c> moved) only when a figure differs, and the bot ids
    /// of the rows written are returned: running the same aggregation twice writes nothing the second time.
    /// </summary>
    public static NpgsqlCommand Upsert(Table table, IReadOnlyList<RollupRecord> rows, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        var set = string.Join(", ", Figures.Split(", ").Select(c => $"{c} = excluded.{c}"));
        var compare = string.Join(", ", Figures.Split(", ").Select(c => $"{table.Name}.{c}"));
        var compareExcluded = string.Join(", ", Figures.Split(", ").Select(c => $"excluded.{c}"));
        var sql = $"""
            INSERT INTO {table.Name} (bot_id, organization_id, {table.Key}, {Figures}, computed_at)
            SELECT d.bot_id, d.organization_id, {table.KeyFromStart}, d.inbound + d.outbound, d.inbound, d.outbound, d.inbound_by_type::jsonb,
                   d.outbound_by_type::jsonb, d.sent, d.delivered, d.read, d.failed, d.in_doubt, d.responses, d.response_ms, d.active,
                   d.new_contacts, d.started, d.completed, d.flows_failed, d.triggered, now()
            FROM unnest(@bots, @organizations, @starts, @inbound, @outbound, @inbound_by_type, @outbound_by_type, @sent, @delivered,
                        @read, @failed, @in_doubt, @responses, @response_ms, @active, @new_contacts, @started, @completed, @flows_failed,
                        @triggered)
                 AS d(bot_id, organization_id, start, inbound, outbound, inbound_by_type, outbound_by_type, sent, delivered, read, failed,
                      in_doubt, responses, response_ms, active, new_contacts, started, completed, flows_failed, triggered)
            ORDER BY d.bot_id, d.start
            ON CONFLICT (bot_id, {table.Key}) DO UPDATE SET {set}, organization_id = excluded.organization_id, computed_at = excluded.computed_at
            WHERE ({compare}) IS DISTINCT FROM ({compareExcluded})
            RETURNING bot_id
            """;
        var command = new NpgsqlCommand(sql, connection, transaction);
        void Longs(string name, Func<RollupRecord, long> value) => command.Parameters.Add(new NpgsqlParameter<long[]>(name, rows.Select(value).ToArray()));
        Longs("bots", r => r.BotId);
        Longs("organizations", r => r.OrganizationId);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("starts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = rows.Select(r => r.Start).ToArray() });
        Longs("inbound", r => r.Values.MessagesInbound);
        Longs("outbound", r => r.Values.MessagesOutbound);
        command.Parameters.Add(new NpgsqlParameter<string[]>("inbound_by_type", rows.Select(r => TypesJson(r.Values.InboundByType)).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("outbound_by_type", rows.Select(r => TypesJson(r.Values.OutboundByType)).ToArray()));
        Longs("sent", r => r.Values.Sent);
        Longs("delivered", r => r.Values.Delivered);
        Longs("read", r => r.Values.Read);
        Longs("failed", r => r.Values.Failed);
        Longs("in_doubt", r => r.Values.InDoubt);
        Longs("responses", r => r.Values.Responses);
        Longs("response_ms", r => r.Values.ResponseMillis);
        Longs("active", r => r.ActiveContacts);
        Longs("new_contacts", r => r.Values.NewContacts);
        Longs("started", r => r.Values.FlowsStarted);
        Longs("completed", r => r.Values.FlowsCompleted);
        Longs("flows_failed", r => r.Values.FlowsFailed);
        Longs("triggered", r => r.Values.FlowsTriggered);
        return command;
    }

    /// <summary>Deletes the rows of [from, to) (of a set of bots, or all) that the new set does not hold, returning their bot ids.</summary>
    public static NpgsqlCommand DeleteStale(
        Table table, DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<long>? only, IReadOnlyList<RollupRecord> keep, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        var key = table == Daily ? "(k.start AT TIME ZONE 'UTC')::date" : "k.start";
        var range = table == Daily ? "date >= (@from AT TIME ZONE 'UTC')::date AND date < (@to AT TIME ZONE 'UTC')::date" : "hour >= @from AND hour < @to";
        var sql = $"""
            DELETE FROM {table.Name} t
            WHERE {range} AND {BotFilter.Sql("t.bot_id")}
              AND NOT EXISTS (SELECT 1 FROM unnest(@bots, @starts) AS k(bot_id, start) WHERE k.bot_id = t.bot_id AND {key} = t.{table.Key})
            RETURNING t.bot_id
            """;
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", from));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", to));
        BotFilter.Add(command, only);
        command.Parameters.Add(new NpgsqlParameter<long[]>("bots", keep.Select(r => r.BotId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("starts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = keep.Select(r => r.Start).ToArray() });
        return command;
    }

    public static string TypesJson(IReadOnlyDictionary<string, long> types) =>
        JsonSerializer.Serialize(new SortedDictionary<string, long>(types.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal), StringComparer.Ordinal));

    public static IReadOnlyDictionary<string, long> ParseTypes(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, long>>(json) ?? [];

    /// <summary>The figure columns of a row read with <c>SELECT {Figures}</c> starting at <paramref name="first"/>.</summary>
    public static (StatsValues Values, long Active) ReadFigures(NpgsqlDataReader reader, int first)
    {
        ArgumentNullException.ThrowIfNull(reader);
        long L(int i) => reader.GetInt64(first + i);
        var values = new StatsValues(
            L(1), L(2), ParseTypes(reader.GetString(first + 3)), ParseTypes(reader.GetString(first + 4)), L(5), L(6), L(7), L(8), L(9),
            L(10), L(11), L(13), L(14), L(15), L(16), L(17));
        return (values, L(12));
    }
}
