using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Analytics;
using Npgsql;

namespace ChatBoost.Grains.Analytics;

/// <summary>One (hour, counter, message type) of <c>bot_live_counters</c>, summed over the shards.</summary>
public readonly record struct LiveCounterRow(DateTimeOffset Hour, string Counter, string MessageType, long Count);

/// <summary>Reads a bot's live counters over a range of hours from <c>bot_live_counters</c>.</summary>
public sealed class BotLiveCounterQueries(Database database)
{
    private const string ReadSql = """
        SELECT hour, counter, message_type, sum(count)::bigint
        FROM bot_live_counters
        WHERE bot_id = @bot AND hour >= @from AND hour < @to
        GROUP BY hour, counter, message_type
        ORDER BY hour
        """;

    public async Task<BotLiveCounters> ReadAsync(long botId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var firstHour = LiveCounterFold.HourOf(from);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(ReadSql, connection);
        command.Parameters.Add(new NpgsqlParameter<long>("bot", botId));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", firstHour));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", to.ToUniversalTime()));
        var rows = new List<LiveCounterRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new LiveCounterRow(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
        }

        return LiveCounterReport.Build(botId, from, to, rows);
    }
}
