using ChatBoost.Grains.Flows;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Interfaces.Triggers;
using ChatBoost.Grains.Interfaces.WhatsApp;
using ChatBoost.Grains.WhatsApp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Triggers.Runs;

/// <summary>
/// One broadcast run (key: the run id). Its state is the <c>trigger_runs</c> row: the cursor is the last contact decided,
/// moved in the transaction that records the batch's decisions. A timer walks the audience (<see cref="AudienceQuery"/>) a
/// batch at a time — as many contacts as <see cref="BroadcastPacing"/> allows by the number's pacer — deciding each with
/// <see cref="RecipientRule"/> and starting the flow through the contact grain with the start key
/// <c>broadcast:&lt;run&gt;:&lt;contact&gt;</c>, written in the contact's own commit under a unique index. A crash after a
/// start and before the batch's commit replays that batch: the contact answers "already started", and nobody gets the
/// run twice. A reminder (and the silo's start) brings the run back after a crash; it resumes from the cursor.
/// </summary>
public sealed class TriggerRunGrain(
    TriggerRunStore store,
    AudienceQuery audiences,
    FlowProgramCache programs,
    IOptions<TriggerOptions> options,
    IOptions<WhatsAppClientOptions> whatsApp,
    TimeProvider time,
    ILogger<TriggerRunGrain> logger) : Grain, ITriggerRunGrain, IRemindable
{
    public const string ReminderName = "trigger-run";
    private const int MaxBatch = 200;
    private const int Parallel = 16;

    private TriggerRunRow? _run;
    private Audience _audience = Audience.Everyone;
    private IGrainTimer? _timer;
    private bool? _needsWindow;
    private string? _phoneNumberId;

    private long RunId => this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _run = await store.LoadAsync(RunId, cancellationToken);
        _audience = Audience.Parse(_run?.AudienceJson);
        if (_run?.Status == TriggerRunStatuses.Running)
        {
            StartTimer();
        }
    }

    public async Task StartAsync()
    {
        if (_run?.Status != TriggerRunStatuses.Running)
        {
            await RemoveReminderAsync();
            return;
        }

        await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        StartTimer();
    }

    public async Task<CommandResult<TriggerRunView>> CancelAsync(long? cancelledBy)
    {
        if (_run is null)
        {
            return CommandResult.Fail<TriggerRunView>(CommandStatus.NotFound, "Run not found.");
        }

        if (_run.Status != TriggerRunStatuses.Running
            || !await store.FinishAsync(RunId, TriggerRunStatuses.Cancelled, cancelledBy is { } user ? $"cancelled by user {user}" : "cancelled", time.GetUtcNow()))
        {
            var stopped = await StopAsync();
            return CommandResult.Fail<TriggerRunView>(CommandStatus.Conflict, $"The run is {stopped.Value?.Status ?? _run?.Status}: only a running run can be cancelled.");
        }

        logger.LogInformation("Run {RunId} of trigger {TriggerId} cancelled after contact {Cursor}", RunId, _run.TriggerId, _run.CursorContactId);
        return await StopAsync();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => reminderName == ReminderName ? StartAsync() : Task.CompletedTask;

    private void StartTimer() => _timer ??= this.RegisterGrainTimer(_ => TickAsync(), new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.RunTickInterval));

    private async Task TickAsync()
    {
        if (_run is not { Status: TriggerRunStatuses.Running } run)
        {
            await StopAsync();
            return;
        }

        try
        {
            await WalkAsync(run);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The next tick tries again from the cursor (nothing of this batch was committed, and its starts are keyed).
            logger.LogWarning(e, "Run {RunId}: a batch after contact {Cursor} failed; retrying", RunId, run.CursorContactId);
        }
    }

    private async Task WalkAsync(TriggerRunRow run)
    {
        if (_needsWindow is null && !await PrepareAsync(run))
        {
            return;
        }

        var backlog = _phoneNumberId is null ? TimeSpan.Zero : await GrainFactory.GetGrain<IPhoneNumberRateLimiterGrain>(_phoneNumberId).BacklogAsync();
        var budget = BroadcastPacing.Budget(whatsApp.Value.RatePerSecond, backlog, options.Value.RunPacingLead, MaxBatch);
        if (budget == 0)
        {
            return;
        }

        var page = await audiences.PageAsync(run.BotId, _audience, run.CursorContactId, budget);
        var now = time.GetUtcNow();
        if (page.Count == 0)
        {
            await store.FinishAsync(RunId, TriggerRunStatuses.Completed, null, now);
            logger.LogInformation("Run {RunId} of trigger {TriggerId} completed", RunId, run.TriggerId);
            await StopAsync();
            return;
        }

        var decisions = new RecipientDecision[page.Count];
        using var gate = new SemaphoreSlim(Parallel);
        await Task.WhenAll(page.Select(async (contact, i) =>
        {
            if (RecipientRule.Precheck(contact, _needsWindow!.Value, now) is { } skipped)
            {
                decisions[i] = new RecipientDecision(contact, skipped, null, null);
                return;
            }

            await gate.WaitAsync();
            try
            {
                var outcome = await GrainFactory.GetGrain<IContactGrain>(run.BotId, contact.WaId, null).StartAutomatedAsync(new AutomatedStartCommand(
                    run.FlowId, run.OrganizationId, $"schedule:{run.TriggerId}", RecipientRule.StartKey(RunId, contact.Id),
                    $$"""{"trigger_id": {{run.TriggerId}}, "trigger_run_id": {{RunId}}}"""));
                decisions[i] = RecipientRule.FromStart(contact, outcome);
            }
            finally
            {
                gate.Release();
            }
        }));

        var cursor = page[^1].Id;
        if (!await store.CommitBatchAsync(RunId, decisions, cursor, time.GetUtcNow()))
        {
            // Cancelled (or finished) under us: what is stored is the truth.
            _run = await store.LoadAsync(RunId);
            return;
        }

        _run = run with { CursorContactId = cursor };
    }

    /// <summary>Reads what the walk needs once per activation: the audience size, the flow's first send, the number.</summary>
    private async Task<bool> PrepareAsync(TriggerRunRow run)
    {
        if (run.Total is null)
        {
            var total = await audiences.CountAsync(run.BotId, _audience);
            await store.SetTotalAsync(RunId, total);
            _run = run = run with { Total = total };
        }

        var flow = await GrainFactory.GetGrain<IFlowGrain>(run.FlowId).GetAsync();
        var program = flow is { LatestVersion: { } version } && flow.BotId == run.BotId ? await programs.GetAsync(flow.Id, version) : null;
        if (program is null)
        {
            await store.FinishAsync(RunId, TriggerRunStatuses.Failed, $"flow {run.FlowId} has no published version of this bot: nothing started", time.GetUtcNow());
            logger.LogWarning("Run {RunId}: flow {FlowId} is unavailable; the run ends", RunId, run.FlowId);
            await StopAsync();
            return false;
        }

        _needsWindow = FirstSend.NeedsWindow(program);
        _phoneNumberId = (await GrainFactory.GetGrain<IBotGrain>(run.BotId).GetAsync())?.WhatsappPhoneNumberId;
        return true;
    }

    private async Task<CommandResult<TriggerRunView>> StopAsync()
    {
        _timer?.Dispose();
        _timer = null;
        _run = await store.LoadAsync(RunId);
        await RemoveReminderAsync();
        var view = await store.ViewAsync(RunId);
        return view is null ? CommandResult.Fail<TriggerRunView>(CommandStatus.NotFound, "Run not found.") : CommandResult.Ok(view);
    }

    private async Task RemoveReminderAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }
}
