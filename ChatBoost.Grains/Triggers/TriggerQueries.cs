using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Triggers;
using Dapper;

namespace ChatBoost.Grains.Triggers;

/// <summary>The SQL of <see cref="ITriggerQueryGrain"/>: lists, logs and statistics from the trigger query tables.</summary>
public sealed class TriggerQueries(Database database, TimeProvider time)
{
    public const int MaxLimit = 200;

    public async Task<TriggerAddress?> FindAsync(long triggerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<TriggerAddress>(new CommandDefinition(
            "SELECT id AS TriggerId, bot_id AS BotId, organization_id AS OrganizationId FROM triggers WHERE id = @Id AND deleted_at IS NULL",
            new { Id = triggerId }, cancellationToken: cancellationToken));
    }

    public async Task<TriggerPage> ListAsync(TriggerFilter filter, int limit, int offset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.OrganizationIds.Count == 0)
        {
            return new TriggerPage([], 0);
        }

        var where = "t.organization_id = ANY(@OrganizationIds) AND t.deleted_at IS NULL"
            + (filter.BotId is null ? "" : " AND t.bot_id = @BotId")
            + (filter.TriggerType is null ? "" : " AND t.trigger_type = @TriggerType")
            + (filter.IsActive is null ? "" : " AND t.is_active = @IsActive");
        var parameters = new
        {
            OrganizationIds = filter.OrganizationIds.ToArray(),
            filter.BotId,
            filter.TriggerType,
            filter.IsActive,
            Limit = Math.Clamp(limit, 1, MaxLimit),
            Offset = Math.Max(0, offset),
        };
        await using var connection = await database.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT count(*) FROM triggers t WHERE {where}", parameters, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<TriggerRow>(new CommandDefinition(
            $"SELECT {TriggerStore.Columns} FROM triggers t WHERE {where} ORDER BY t.id LIMIT @Limit OFFSET @Offset",
            parameters, cancellationToken: cancellationToken));
        return new TriggerPage([.. rows.Select(r => r.ToView(time.GetUtcNow()))], total);
    }

    public async Task<TriggerLogPage> LogsAsync(long triggerId, int limit, int offset, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var parameters = new { TriggerId = triggerId, Limit = Math.Clamp(limit, 1, MaxLimit), Offset = Math.Max(0, offset) };
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM trigger_logs WHERE trigger_id = @TriggerId", parameters, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<LogRow>(new CommandDefinition(
            """
            SELECT id AS Id, trigger_id AS TriggerId, event AS Event, contact_wa_id AS ContactPhone, matched_keyword AS MatchedKeyword,
                   execution_id AS ExecutionId, detail AS Detail, created_at AS CreatedAt
            FROM trigger_logs WHERE trigger_id = @TriggerId ORDER BY id DESC LIMIT @Limit OFFSET @Offset
            """, parameters, cancellationToken: cancellationToken));
        return new TriggerLogPage([.. rows.Select(r => r.ToView())], total);
    }

    public async Task<IReadOnlyList<TriggerStatisticsView>> StatisticsAsync(
        IReadOnlyList<long> organizationIds, long? botId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(organizationIds);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<StatisticsRow>(new CommandDefinition(
            $"""
            SELECT t.id AS TriggerId, t.bot_id AS BotId, t.name AS Name, t.trigger_type AS TriggerType,
                   coalesce(s.matched, 0) AS Matched, coalesce(s.flows_started, 0) AS FlowsStarted, coalesce(s.skipped, 0) AS Skipped,
                   coalesce(s.failed, 0) AS Failed, s.last_fired_at AS LastFiredAt
            FROM triggers t LEFT JOIN trigger_statistics s ON s.trigger_id = t.id
            WHERE t.organization_id = ANY(@OrganizationIds) AND t.deleted_at IS NULL{(botId is null ? "" : " AND t.bot_id = @BotId")}
            ORDER BY t.id
            LIMIT 10000
            """, new { OrganizationIds = organizationIds.ToArray(), BotId = botId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToView())];
    }

    /// <summary>Deletes log lines older than <paramref name="before"/>, a bounded batch at a time; returns how many.</summary>
    public async Task<int> PurgeLogsAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM trigger_logs WHERE id IN (SELECT id FROM trigger_logs WHERE created_at < @Before ORDER BY created_at LIMIT @Batch)",
            new { Before = before.UtcDateTime, Batch = batch }, cancellationToken: cancellationToken));
    }

    /// <summary>The statistics of triggers deleted before <paramref name="before"/> (a live trigger's are its totals, kept).</summary>
    public async Task<int> PurgeDeletedStatisticsAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM trigger_statistics s USING triggers t WHERE t.id = s.trigger_id AND t.deleted_at < @Before",
            new { Before = before.UtcDateTime }, cancellationToken: cancellationToken));
    }

    private sealed record LogRow(long Id, long TriggerId, string Event, string? ContactPhone, string? MatchedKeyword, long? ExecutionId, string? Detail, DateTime CreatedAt)
    {
        public TriggerLogView ToView() => new(Id, TriggerId, Event, ContactPhone, MatchedKeyword, ExecutionId, Detail, new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)));
    }

    private sealed record StatisticsRow(long TriggerId, long BotId, string Name, string TriggerType, long Matched, long FlowsStarted, long Skipped, long Failed, DateTime? LastFiredAt)
    {
        public TriggerStatisticsView ToView() => new(TriggerId, BotId, Name, TriggerType, Matched, FlowsStarted, Skipped, Failed,
            LastFiredAt is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null);
    }
}
