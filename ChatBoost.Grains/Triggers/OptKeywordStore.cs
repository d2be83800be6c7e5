using System.Text.Json;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Triggers.Matching;
using Dapper;

namespace ChatBoost.Grains.Triggers;

/// <summary>A bot's own opt keywords (<c>bot_opt_keywords</c>, migration 0170): null lists are the defaults.</summary>
public sealed record BotOptKeywords(IReadOnlyList<string>? OptOut, IReadOnlyList<string>? OptIn)
{
    public static BotOptKeywords Defaults { get; } = new(null, null);

    public OptKeywords Compile() => new(OptOut ?? OptKeywords.DefaultOptOut, OptIn ?? OptKeywords.DefaultOptIn);
}

/// <summary>The SQL of <see cref="BotOptKeywords"/>; the bot's trigger set grain is the only writer.</summary>
public sealed class OptKeywordStore(Database database)
{
    public async Task<BotOptKeywords> LoadAsync(long botId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string? OptOut, string? OptIn)>(new CommandDefinition(
            "SELECT opt_out_keywords::text, opt_in_keywords::text FROM bot_opt_keywords WHERE bot_id = @BotId",
            new { BotId = botId }, cancellationToken: cancellationToken));
        return new BotOptKeywords(List(row.OptOut), List(row.OptIn));
    }

    public async Task SaveAsync(long botId, long organizationId, BotOptKeywords keywords, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keywords);
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO bot_opt_keywords (bot_id, organization_id, opt_out_keywords, opt_in_keywords, updated_at)
            VALUES (@BotId, @OrganizationId, @OptOut::jsonb, @OptIn::jsonb, @Now)
            ON CONFLICT (bot_id) DO UPDATE SET opt_out_keywords = EXCLUDED.opt_out_keywords, opt_in_keywords = EXCLUDED.opt_in_keywords,
                updated_at = EXCLUDED.updated_at
            """,
            new
            {
                BotId = botId,
                OrganizationId = organizationId,
                OptOut = keywords.OptOut is null ? null : JsonSerializer.Serialize(keywords.OptOut),
                OptIn = keywords.OptIn is null ? null : JsonSerializer.Serialize(keywords.OptIn),
                Now = now.UtcDateTime,
            },
            cancellationToken: cancellationToken));
    }

    private static string[]? List(string? json) => json is null ? null : JsonSerializer.Deserialize<string[]>(json);
}
