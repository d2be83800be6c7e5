using System.Globalization;
using ChatBoost.Grains.Contacts;
using ChatBoost.Grains.Infrastructure;
using Dapper;

namespace ChatBoost.Grains.Triggers.Runs;

/// <summary>
/// The SQL of an audience: the bot's contacts matching every <see cref="AudienceFilter"/> (the contact search's typed
/// comparison, <see cref="ContactQueries.AttributeMatch"/>), in id order after a cursor. Opted-out contacts are read too:
/// the run records them as skipped, so its counts add up to the audience.
/// </summary>
public sealed class AudienceQuery(Database database)
{
    public async Task<IReadOnlyList<AudienceContact>> PageAsync(long botId, Audience audience, long afterContactId, int limit, CancellationToken cancellationToken = default)
    {
        if (Where(botId, audience, out var parameters) is not { } where)
        {
            return [];
        }

        parameters.Add("After", afterContactId);
        parameters.Add("Limit", limit);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT c.id AS Id, c.wa_id AS WaId, c.opted_in AS OptedIn, c.last_inbound_at AS LastInboundAt FROM contacts c WHERE {where} AND c.id > @After ORDER BY c.id LIMIT @Limit",
            parameters, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new AudienceContact(r.Id, r.WaId, r.OptedIn, r.LastInboundAt is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null))];
    }

    public async Task<long> CountAsync(long botId, Audience audience, CancellationToken cancellationToken = default)
    {
        if (Where(botId, audience, out var parameters) is not { } where)
        {
            return 0;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM contacts c WHERE {where}", parameters, cancellationToken: cancellationToken));
    }

    /// <returns>The predicate, or null when no contact can match (a text PostgreSQL cannot store).</returns>
    private static string? Where(long botId, Audience audience, out DynamicParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(audience);
        parameters = new DynamicParameters();
        parameters.Add("BotId", botId);
        var where = "c.bot_id = @BotId";
        for (var i = 0; i < audience.Filters.Count; i++)
        {
            var (key, value) = (audience.Filters[i].Key, audience.Filters[i].Value);
            if (!SearchValue.IsStorableText(key) || (value is not null && !SearchValue.IsStorableText(value)))
            {
                return null;
            }

            var suffix = i.ToString(CultureInfo.InvariantCulture);
            if (value is null)
            {
                parameters.Add("Absent" + suffix, key);
                where += $" AND NOT EXISTS (SELECT 1 FROM contact_attributes a WHERE a.contact_id = c.id AND a.key = @Absent{suffix})";
            }
            else
            {
                where += " AND " + ContactQueries.AttributeMatch(key, value, suffix, parameters);
            }
        }

        return where;
    }

    private sealed record Row(long Id, string WaId, bool OptedIn, DateTime? LastInboundAt);
}
