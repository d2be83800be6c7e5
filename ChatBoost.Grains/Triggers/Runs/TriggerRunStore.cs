using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Triggers;
using Dapper;

namespace ChatBoost.Grains.Triggers.Runs;

/// <summary>A run as its grain holds it (the <c>trigger_runs</c> row).</summary>
public sealed record TriggerRunRow(
    long Id, long TriggerId, long BotId, long OrganizationId, long FlowId, string? AudienceJson, string Source, string Status, long CursorContactId, long? Total);

/// <summary>
/// The SQL of <c>trigger_runs</c> and <c>trigger_run_recipients</c>. One writer per run (its grain) for the walk; the
/// recipients of a batch and the cursor that passes them are written in one transaction, conditional on the run still
/// running, so a cancel is never overtaken and a crash leaves either both or neither.
/// </summary>
public sealed class TriggerRunStore(Database database)
{
    public const int MaxLimit = 200;

    private const string RowColumns =
        """
        id AS Id, trigger_id AS TriggerId, bot_id AS BotId, organization_id AS OrganizationId, flow_id AS FlowId, audience::text AS AudienceJson,
        source AS Source, status AS Status, cursor_contact_id AS CursorContactId, total AS Total
        """;

    /// <returns>The run's id, and whether this call made it (false: the occurrence already had its run).</returns>
    public async Task<(long Id, bool Created)> CreateAsync(TriggerView trigger, string source, DateTimeOffset? occurrence, long? requestedBy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        await using var connection = await database.OpenAsync();
        var parameters = new
        {
            TriggerId = trigger.Id,
            trigger.BotId,
            trigger.OrganizationId,
            trigger.Definition.FlowId,
            Audience = trigger.Definition.AudienceJson,
            Source = source,
            Occurrence = occurrence?.UtcDateTime,
            RequestedBy = requestedBy,
            Now = now.UtcDateTime,
        };
        var created = await connection.ExecuteScalarAsync<long?>(
            """
            INSERT INTO trigger_runs (trigger_id, bot_id, organization_id, flow_id, audience, source, occurrence, status, requested_by, created_at)
            VALUES (@TriggerId, @BotId, @OrganizationId, @FlowId, @Audience::jsonb, @Source, @Occurrence, 'running', @RequestedBy, @Now)
            ON CONFLICT (trigger_id, occurrence) WHERE occurrence IS NOT NULL DO NOTHING
            RETURNING id
            """, parameters);
        if (created is { } id)
        {
            return (id, true);
        }

        return (await connection.ExecuteScalarAsync<long>(
            "SELECT id FROM trigger_runs WHERE trigger_id = @TriggerId AND occurrence = @Occurrence", parameters), false);
    }

    public async Task<TriggerRunRow?> LoadAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<TriggerRunRow>(new CommandDefinition(
            $"SELECT {RowColumns} FROM trigger_runs WHERE id = @Id", new { Id = runId }, cancellationToken: cancellationToken));
    }

    public async Task SetTotalAsync(long runId, long total)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("UPDATE trigger_runs SET total = @Total WHERE id = @Id AND total IS NULL", new { Id = runId, Total = total });
    }

    /// <summary>Records a batch's decisions and moves the cursor past it, if the run is still running (false: it was
    /// cancelled or finished meanwhile, and nothing was written).</summary>
    public async Task<bool> CommitBatchAsync(long runId, IReadOnlyList<RecipientDecision> decisions, long cursor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var moved = await connection.ExecuteAsync(
            "UPDATE trigger_runs SET cursor_contact_id = @Cursor WHERE id = @Id AND status = 'running' AND cursor_contact_id < @Cursor",
            new { Id = runId, Cursor = cursor }, transaction);
        if (moved != 1)
        {
            await transaction.RollbackAsync();
            return false;
        }

        await connection.ExecuteAsync(
            """
            INSERT INTO trigger_run_recipients (run_id, contact_id, wa_id, outcome, execution_id, detail, decided_at)
            SELECT @RunId, * FROM unnest(@ContactIds, @WaIds, @Outcomes, @ExecutionIds, @Details, @Now)
            ON CONFLICT (run_id, contact_id) DO NOTHING
            """,
            new
            {
                RunId = runId,
                ContactIds = decisions.Select(d => d.Contact.Id).ToArray(),
                WaIds = decisions.Select(d => d.Contact.WaId).ToArray(),
                Outcomes = decisions.Select(d => d.Outcome).ToArray(),
                ExecutionIds = decisions.Select(d => d.ExecutionId).ToArray(),
                Details = decisions.Select(d => d.Detail is { Length: > 1000 } long_ ? long_[..1000] : d.Detail).ToArray(),
                Now = decisions.Select(_ => now.UtcDateTime).ToArray(),
            }, transaction);
        await transaction.CommitAsync();
        return true;
    }

    /// <summary>Ends a running run (completed or cancelled); false when it was not running.</summary>
    public async Task<bool> FinishAsync(long runId, string status, string? detail, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteAsync(
            "UPDATE trigger_runs SET status = @Status, finished_at = @Now, detail = coalesce(@Detail, detail) WHERE id = @Id AND status = 'running'",
            new { Id = runId, Status = status, Detail = detail, Now = now.UtcDateTime }) == 1;
    }

    /// <summary>The runs still running (the silo's start resumes them without waiting for their reminders).</summary>
    public async Task<IReadOnlyList<long>> RunningAsync()
    {
        await using var connection = await database.OpenAsync();
        return [.. await connection.QueryAsync<long>("SELECT id FROM trigger_runs WHERE status = 'running' ORDER BY id LIMIT 10000")];
    }

    public async Task<TriggerRunView?> ViewAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var head = await connection.QuerySingleOrDefaultAsync<HeadRow>(new CommandDefinition(HeadSql + " WHERE id = @Id", new { Id = runId }, cancellationToken: cancellationToken));
        return head is null ? null : await ProgressAsync(connection, head, cancellationToken);
    }

    public async Task<TriggerRunPage> ListAsync(long triggerId, int limit, int offset, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var parameters = new { TriggerId = triggerId, Limit = Math.Clamp(limit, 1, MaxLimit), Offset = Math.Max(0, offset) };
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM trigger_runs WHERE trigger_id = @TriggerId", parameters, cancellationToken: cancellationToken));
        var heads = await connection.QueryAsync<HeadRow>(new CommandDefinition(
            HeadSql + " WHERE trigger_id = @TriggerId ORDER BY id DESC LIMIT @Limit OFFSET @Offset", parameters, cancellationToken: cancellationToken));
        var items = new List<TriggerRunView>();
        foreach (var head in heads)
        {
            items.Add(await ProgressAsync(connection, head, cancellationToken));
        }

        return new TriggerRunPage(items, total);
    }

    private const string HeadSql =
        """
        SELECT id AS Id, trigger_id AS TriggerId, bot_id AS BotId, organization_id AS OrganizationId, flow_id AS FlowId, source AS Source,
               status AS Status, occurrence AS Occurrence, total AS Total, created_at AS CreatedAt, finished_at AS FinishedAt, detail AS Detail
        FROM trigger_runs
        """;

    private static async Task<TriggerRunView> ProgressAsync(Npgsql.NpgsqlConnection connection, HeadRow head, CancellationToken cancellationToken)
    {
        var outcomes = await connection.QueryAsync<(string Outcome, long Count)>(new CommandDefinition(
            "SELECT outcome, count(*) FROM trigger_run_recipients WHERE run_id = @Id GROUP BY outcome", new { head.Id }, cancellationToken: cancellationToken));
        var messages = await connection.QuerySingleAsync<(long Sent, long Failed)>(new CommandDefinition(
            """
            SELECT count(*) FILTER (WHERE m.status IN ('sent', 'delivered', 'read')), count(*) FILTER (WHERE m.status = 'failed')
            FROM trigger_run_recipients r
            JOIN messages m ON m.bot_id = @BotId AND m.contact_wa_id = r.wa_id AND m.execution_id = r.execution_id AND m.direction = 'outbound'
            WHERE r.run_id = @Id AND r.execution_id IS NOT NULL
            """, new { head.Id, head.BotId }, cancellationToken: cancellationToken));
        var progress = RunProgress.From(outcomes, messages.Sent, messages.Failed);
        return new TriggerRunView(head.Id, head.TriggerId, head.BotId, head.OrganizationId, head.FlowId, head.Source, head.Status, Utc(head.Occurrence),
            head.Total, progress.Processed, progress.Started, progress.Skipped, progress.Sent, progress.Failed, Utc(head.CreatedAt)!.Value, Utc(head.FinishedAt), head.Detail);
    }

    private static DateTimeOffset? Utc(DateTime? value) => value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    private sealed record HeadRow(
        long Id, long TriggerId, long BotId, long OrganizationId, long FlowId, string Source, string Status, DateTime? Occurrence, long? Total,
        DateTime CreatedAt, DateTime? FinishedAt, string? Detail);
}
