using ChatBoost.Grains.Infrastructure;
using Npgsql;

namespace ChatBoost.Grains.Analytics;

/// <summary>The raw rows a range's fold needs, read by time through the <c>created_at</c>/<c>started_at</c> indexes (migration 0130).</summary>
public sealed record RawFacts(IReadOnlyList<MessageFact> Messages, IReadOnlyList<ContactFact> Contacts, IReadOnlyList<ExecutionFact> Executions);

/// <summary>
/// Reads the raw rows of [from, to), of every bot or a set of them: its messages (with their contact's creation time), and the
/// messages of the <see cref="StatsDefinitions.ResponseWindow"/> before it of the contacts the bot wrote to in the range
/// (to find the turns those replies answer); the contacts created and the executions started in it.
/// </summary>
public sealed class RawFactReader(Database database)
{
    private static readonly string MessagesSql = $"""
        WITH ranged AS (
            SELECT m.id, m.bot_id, m.organization_id, m.contact_wa_id, m.direction, m.message_type, m.status, m.created_at, m.sent_at
            FROM messages m
            WHERE m.created_at >= @from AND m.created_at < @to AND {BotFilter.Sql("m.bot_id")}
        ), replied AS (
            SELECT DISTINCT bot_id, contact_wa_id FROM ranged WHERE direction = 'outbound'
        )
        SELECT r.id, r.bot_id, r.organization_id, r.contact_wa_id, r.direction = 'inbound', r.message_type, r.status, r.created_at, r.sent_at, c.created_at
        FROM ranged r
        LEFT JOIN contacts c ON c.bot_id = r.bot_id AND c.wa_id = r.contact_wa_id
        UNION ALL
        SELECT m.id, m.bot_id, m.organization_id, m.contact_wa_id, m.direction = 'inbound', m.message_type, m.status, m.created_at, m.sent_at, NULL
        FROM replied p
        JOIN messages m ON m.bot_id = p.bot_id AND m.contact_wa_id = p.contact_wa_id
        WHERE m.created_at >= @lookback AND m.created_at < @from
        """;

    private static readonly string ContactsSql = $"""
        SELECT bot_id, organization_id, wa_id, created_at FROM contacts
        WHERE created_at >= @from AND created_at < @to AND {BotFilter.Sql("bot_id")}
        """;

    private static readonly string ExecutionsSql = $"""
        SELECT bot_id, organization_id, started_at, status, trigger FROM flow_executions
        WHERE started_at >= @from AND started_at < @to AND {BotFilter.Sql("bot_id")}
        """;

    public async Task<RawFacts> ReadAsync(DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<long>? bots, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot for the three reads, so a contact and its first message are seen together or not at all.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var messages = await ReadAsync(connection, transaction, MessagesSql, from, to, bots, r => new MessageFact(
            r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.GetBoolean(4), r.GetString(5), r.GetString(6),
            r.GetFieldValue<DateTimeOffset>(7), r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8),
            r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9)), cancellationToken).ConfigureAwait(false);
        var contacts = await ReadAsync(connection, transaction, ContactsSql, from, to, bots, r => new ContactFact(
            r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3)), cancellationToken).ConfigureAwait(false);
        var executions = await ReadAsync(connection, transaction, ExecutionsSql, from, to, bots, r => new ExecutionFact(
            r.GetInt64(0), r.GetInt64(1), r.GetFieldValue<DateTimeOffset>(2), r.GetString(3), r.GetString(4)), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RawFacts(messages, contacts, executions);
    }

    private static async Task<List<T>> ReadAsync<T>(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<long>? bots,
        Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", from));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", to));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("lookback", from - StatsDefinitions.ResponseWindow));
        BotFilter.Add(command, bots);
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
