using System.Text.Json;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Triggers;
using Dapper;

namespace ChatBoost.Grains.Triggers;

/// <summary>
/// The SQL of the <c>triggers</c> rows: the trigger set grain's durable state, and the query table the lists read. Every
/// write names the bot as well as the trigger, so a grain can only ever change its own bot's rows.
/// </summary>
public sealed class TriggerStore(Database database, TimeProvider time)
{
    internal const string Columns =
        """
        t.id AS Id, t.bot_id AS BotId, t.organization_id AS OrganizationId, t.flow_id AS FlowId, t.name AS Name,
        t.description AS Description, t.trigger_type AS TriggerType, t.is_active AS IsActive, t.priority AS Priority,
        t.keywords::text AS KeywordsJson, t.match_type AS MatchType, t.case_sensitive AS CaseSensitive,
        t.interrupts_waiting AS InterruptsWaiting, t.event_type AS EventType, t.event_conditions::text AS EventConditionsJson,
        t.schedule_type AS ScheduleType, t.schedule_time AS ScheduleTime, t.schedule_timezone AS ScheduleTimezone,
        t.schedule_day_of_week AS ScheduleDayOfWeek, t.schedule_day_of_month AS ScheduleDayOfMonth,
        t.cron_expression AS CronExpression, t.audience::text AS AudienceJson, t.created_by AS CreatedBy,
        t.created_at AS CreatedAt, t.updated_at AS UpdatedAt
        """;

    private const string Values =
        """
        flow_id = @FlowId, name = @Name, description = @Description, is_active = @IsActive, priority = @Priority,
        keywords = @KeywordsJson::jsonb, match_type = @MatchType, case_sensitive = @CaseSensitive,
        interrupts_waiting = @InterruptsWaiting, event_type = @EventType, event_conditions = @EventConditionsJson::jsonb,
        schedule_type = @ScheduleType, schedule_time = @ScheduleTime, schedule_timezone = @ScheduleTimezone,
        schedule_day_of_week = @ScheduleDayOfWeek, schedule_day_of_month = @ScheduleDayOfMonth,
        cron_expression = @CronExpression, audience = @AudienceJson::jsonb
        """;

    public async Task<IReadOnlyList<TriggerView>> LoadBotAsync(long botId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<TriggerRow>(new CommandDefinition(
            $"SELECT {Columns} FROM triggers t WHERE t.bot_id = @BotId AND t.deleted_at IS NULL ORDER BY t.id",
            new { BotId = botId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToView(time.GetUtcNow()))];
    }

    public async Task<TriggerView> InsertAsync(
        long botId, long organizationId, long createdBy, TriggerDefinition d, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(d);
        await using var connection = await database.OpenAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO triggers (organization_id, bot_id, flow_id, name, description, trigger_type, is_active, priority, keywords,
                match_type, case_sensitive, interrupts_waiting, event_type, event_conditions, schedule_type, schedule_time,
                schedule_timezone, schedule_day_of_week, schedule_day_of_month, cron_expression, audience, created_by, created_at)
            VALUES (@OrganizationId, @BotId, @FlowId, @Name, @Description, @TriggerType, @IsActive, @Priority, @KeywordsJson::jsonb,
                @MatchType, @CaseSensitive, @InterruptsWaiting, @EventType, @EventConditionsJson::jsonb, @ScheduleType, @ScheduleTime,
                @ScheduleTimezone, @ScheduleDayOfWeek, @ScheduleDayOfMonth, @CronExpression, @AudienceJson::jsonb, @CreatedBy, @Now)
            RETURNING id
            """,
            Parameters(d, new { OrganizationId = organizationId, BotId = botId, CreatedBy = createdBy, Now = now.UtcDateTime }),
            cancellationToken: cancellationToken));
        return new TriggerView(id, botId, organizationId, d, createdBy, now, null, NextRun(d, now));
    }

    /// <summary>Stores <paramref name="d"/> as the trigger's definition; false when the bot has no such live trigger.</summary>
    public async Task<bool> UpdateAsync(long botId, long triggerId, TriggerDefinition d, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(d);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE triggers SET {Values}, updated_at = @Now WHERE id = @Id AND bot_id = @BotId AND deleted_at IS NULL",
            Parameters(d, new { Id = triggerId, BotId = botId, Now = now.UtcDateTime }), cancellationToken: cancellationToken)) == 1;
    }

    public async Task<bool> DeleteAsync(long botId, long triggerId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE triggers SET deleted_at = @Now, is_active = false WHERE id = @Id AND bot_id = @BotId AND deleted_at IS NULL",
            new { Id = triggerId, BotId = botId, Now = now.UtcDateTime }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>When an active schedule trigger fires next (null for other triggers, inactive ones and a past once).</summary>
    public static DateTimeOffset? NextRun(TriggerDefinition d, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(d);
        return d is { TriggerType: TriggerTypes.Schedule, IsActive: true } && TriggerRules.Schedule(d, out _) is { } schedule ? schedule.NextAfter(now) : null;
    }

    private static DynamicParameters Parameters(TriggerDefinition d, object extra)
    {
        var p = new DynamicParameters(extra);
        p.AddDynamicParams(new
        {
            d.FlowId,
            d.Name,
            d.Description,
            d.TriggerType,
            d.IsActive,
            d.Priority,
            KeywordsJson = d.Keywords is null ? null : JsonSerializer.Serialize(d.Keywords),
            d.MatchType,
            d.CaseSensitive,
            d.InterruptsWaiting,
            d.EventType,
            d.EventConditionsJson,
            d.ScheduleType,
            d.ScheduleTime,
            d.ScheduleTimezone,
            ScheduleDayOfWeek = (short?)d.ScheduleDayOfWeek,
            ScheduleDayOfMonth = (short?)d.ScheduleDayOfMonth,
            d.CronExpression,
            d.AudienceJson,
        });
        return p;
    }
}

/// <summary>A <c>triggers</c> row as Dapper reads it.</summary>
internal sealed class TriggerRow
{
    public long Id { get; init; }
    public long BotId { get; init; }
    public long OrganizationId { get; init; }
    public long FlowId { get; init; }
    public string Name { get; init; } = "";
    public string? Description { get; init; }
    public string TriggerType { get; init; } = "";
    public bool IsActive { get; init; }
    public int Priority { get; init; }
    public string? KeywordsJson { get; init; }
    public string? MatchType { get; init; }
    public bool CaseSensitive { get; init; }
    public bool InterruptsWaiting { get; init; }
    public string? EventType { get; init; }
    public string? EventConditionsJson { get; init; }
    public string? ScheduleType { get; init; }
    public string? ScheduleTime { get; init; }
    public string? ScheduleTimezone { get; init; }
    public short? ScheduleDayOfWeek { get; init; }
    public short? ScheduleDayOfMonth { get; init; }
    public string? CronExpression { get; init; }
    public string? AudienceJson { get; init; }
    public long CreatedBy { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? UpdatedAt { get; init; }

    public TriggerView ToView(DateTimeOffset now) => WithDefinition(new(
        Id, BotId, OrganizationId,
        new TriggerDefinition(
            Name, Description, FlowId, TriggerType, IsActive, Priority,
            KeywordsJson is null ? null : JsonSerializer.Deserialize<string[]>(KeywordsJson), MatchType, CaseSensitive, InterruptsWaiting,
            EventType, EventConditionsJson, ScheduleType, ScheduleTime, ScheduleTimezone, ScheduleDayOfWeek, ScheduleDayOfMonth,
            CronExpression, AudienceJson),
        CreatedBy, Utc(CreatedAt), UpdatedAt is { } u ? Utc(u) : null, null), now);

    private static TriggerView WithDefinition(TriggerView view, DateTimeOffset now) => view with { NextRunAt = TriggerStore.NextRun(view.Definition, now) };

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
