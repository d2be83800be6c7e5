using System.Collections.Concurrent;
using System.Text.Json;
using ChatBoost.Grains.Flows;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.Flows.Http;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.WhatsApp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Runtime;
using Orleans.Timers;

namespace ChatBoost.Grains.Contacts;

/// <summary>
/// Flow executions inside the contact grain. The pure <see cref="FlowInterpreter"/> decides; this part performs.
/// <list type="bullet">
/// <item>At most one active execution per contact (the grain's rule, backed by a partial unique index).</item>
/// <item>Every step is committed (execution row, log lines, attribute writes: one transaction) before its external
/// effect runs, so a crash resumes from the last step; only the one in-flight send or webhook call may repeat.</item>
/// <item>Work (inbound replies, the next send, webhook results) goes through a queue drained one item per turn
/// (<see cref="PumpAsync"/>), so the webhook's acknowledgement never waits for a flow, and an inbound message waits
/// behind at most one send.</item>
/// <item><c>webhook_action</c> calls run off the grain's turn; their result comes back as queued work.</item>
/// <item>Waits: a grain timer gives precision while the grain is active; an Orleans reminder is the durable
/// backstop. A wake-up that comes early, late or twice is harmless (the interpreter checks the time).</item>
/// </list>
/// </summary>
public sealed partial class ContactGrain : IRemindable
{
    public const string WakeReminderName = "flow-wake";

    /// <summary>Replies held while an effect is in flight (a webhook call); more are logged and not delivered.</summary>
    public const int MaxHeldReplies = 20;

    /// <summary>The reminder's retry period: a tick missed while a silo was down comes again this much later.</summary>
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private ExecutionRecord? _execution;
    private FlowProgram? _program;
    private readonly LinkedList<Work> _work = new();
    private readonly ConcurrentQueue<Work> _webhookResults = new();
    private readonly Queue<InboundMessageInput> _heldReplies = new();
    private IGrainTimer? _wakeTimer;
    private DateTimeOffset? _reminderDueAt;
    private IGrainReminder? _reminder;
    private bool _reminderMayExist;
    private int _webhookAttempt;

    private FlowProgramCache? _programs;
    private WebhookCaller? _webhooks;
    private ExecutionLimits? _limits;

    private FlowProgramCache Programs => _programs ??= ServiceProvider.GetRequiredService<FlowProgramCache>();

    private WebhookCaller Webhooks => _webhooks ??= ServiceProvider.GetRequiredService<WebhookCaller>();

    private ExecutionLimits Limits => _limits ??= ServiceProvider.GetRequiredService<IOptions<FlowEngineOptions>>().Value.ToLimits();

    private abstract record Work;

    private sealed record InboundWork(InboundMessageInput Input) : Work;

    private sealed record SendWork(long ExecutionId, SendMessageEffect Effect) : Work;

    private sealed record WebhookResultWork(long ExecutionId, int Attempt, WebhookCallResult Result) : Work;

    private sealed record RecoverWork(long ExecutionId) : Work;

    // ---- API commands ----

    public async Task<CommandResult<ExecutionView>> StartExecutionAsync(StartExecutionCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_execution is { } active)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict,
                $"The contact already has an active execution ({active.Id}, {ContactStore.StatusText(active.Snapshot.Status)}); cancel it first.",
                "contact_phone");
        }

        var flow = await GrainFactory.GetGrain<IFlowGrain>(command.FlowId).GetAsync();
        if (flow is null || flow.BotId != BotId || flow.OrganizationId != command.OrganizationId)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.NotFound, "Flow not found for this bot.", "flow_id");
        }

        if (flow.LatestVersion is not { } version)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Invalid, "The flow has no published version: publish it first.", "flow_id");
        }

        IReadOnlyDictionary<string, JsonElement> initial;
        try
        {
            initial = command.InitialStateJson is null ? new Dictionary<string, JsonElement>() : ExecutionSnapshot.DeserializeVariables(command.InitialStateJson);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Invalid, "initial_state must be a JSON object.", "initial_state");
        }

        var contact = _contact ?? await EnsureContactAsync(command.OrganizationId, profileName: null);
        if (!contact.OptedIn)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Invalid, "The contact has opted out of messages; opt them in first.", "contact_phone");
        }

        var program = await Programs.GetAsync(flow.Id, version);
        if (program is null)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.NotFound, "The flow's published version was not found.", "flow_id");
        }

        return await StartAsync(program, "api", command.StartedBy, initial);
    }

    public async Task<CommandResult<ExecutionView>> ResumeExecutionAsync(long executionId)
    {
        if (_execution is { } active && active.Id == executionId)
        {
            if (active.Snapshot.Status == ExecutionStatus.Running)
            {
                return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict, "The execution is running a step; there is nothing to resume.");
            }

            await StepAsync(new ResumeEvent());
            return CommandResult.Ok(View(active));
        }

        var past = await store.LoadExecutionAsync(BotId, WaId, executionId, default);
        if (past is null)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.NotFound, "Execution not found.");
        }

        if (past.Snapshot.Status != ExecutionStatus.Failed)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict,
                $"The execution has ended ({ContactStore.StatusText(past.Snapshot.Status)}); only a waiting or failed execution can be resumed.");
        }

        if (_execution is { } other)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict,
                $"The contact has another active execution ({other.Id}); cancel it before retrying this one.");
        }

        // Retrying a failed step: the execution becomes the active one again, on the version it started on.
        var program = await LoadProgramAsync(past);
        if (program is null)
        {
            return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict, "The execution's flow version can no longer run; start a new execution.");
        }

        _execution = past;
        _program = program;
        try
        {
            await StepAsync(new ResumeEvent());
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            _execution = null;
            DeactivateOnIdle();
            return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict, "The contact has another active execution.");
        }

        return CommandResult.Ok(View(past));
    }

    public async Task<CommandResult<ExecutionView>> CancelExecutionAsync(long executionId, string reason)
    {
        if (_execution is { } active && active.Id == executionId)
        {
            await StepAsync(new CancelEvent(string.IsNullOrWhiteSpace(reason) ? "cancelled" : reason));
            return CommandResult.Ok(View(active));
        }

        return await EndedOrMissingAsync(executionId);
    }

    public async Task<CommandResult<ExecutionView>> SubmitInputAsync(long executionId, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_execution is { } active && active.Id == executionId)
        {
            if (active.Snapshot.Status != ExecutionStatus.WaitingForReply)
            {
                return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict,
                    $"The execution is not waiting for a reply (it is {ContactStore.StatusText(active.Snapshot.Status)}).");
            }

            await StepAsync(new ReplyEvent(message));
            return CommandResult.Ok(View(active));
        }

        return await EndedOrMissingAsync(executionId);
    }

    private async Task<CommandResult<ExecutionView>> EndedOrMissingAsync(long executionId)
    {
        var past = await store.LoadExecutionAsync(BotId, WaId, executionId, default);
        return past is null
            ? CommandResult.Fail<ExecutionView>(CommandStatus.NotFound, "Execution not found.")
            : CommandResult.Fail<ExecutionView>(CommandStatus.Conflict, $"The execution has ended ({ContactStore.StatusText(past.Snapshot.Status)}).");
    }

    // ---- The work queue ----

    public Task PokeAsync() => PumpAsync();

    public async Task PumpAsync()
    {
        while (_webhookResults.TryDequeue(out var result))
        {
            _work.AddFirst(result);
        }

        if (_work.First is not { } first)
        {
            return;
        }

        _work.RemoveFirst();
        try
        {
            await HandleAsync(first.Value);
        }
        catch (Exception e)
        {
            // The rows hold the last committed step; a new activation resumes from there.
            _work.Clear();
            ReloadOnNextCall(e, $"flow work {first.Value.GetType().Name}");
            return;
        }

        if (_work.Count > 0 || !_webhookResults.IsEmpty)
        {
            PumpLater();
        }
    }

    private void PumpLater() => this.AsReference<IContactGrain>().PumpAsync().Ignore();

    private void EnqueueInbound(InboundMessageInput input)
    {
        _work.AddLast(new InboundWork(input));
        PumpLater();
    }

    private async Task HandleAsync(Work work)
    {
        switch (work)
        {
            case InboundWork inbound:
                await HandleInboundAsync(inbound.Input);
                break;
            case SendWork send when _execution is { } e && e.Id == send.ExecutionId && e.Snapshot.PendingEffect == PendingEffectKind.Send:
                var (ok, error) = await SendFromFlowAsync(send.Effect.Message);
                await StepAsync(new SendCompletedEvent(ok, error));
                break;
            case WebhookResultWork r when _execution is { } e && e.Id == r.ExecutionId && r.Attempt == _webhookAttempt
                                          && e.Snapshot.PendingEffect == PendingEffectKind.Webhook:
                await StepAsync(new WebhookCompletedEvent(r.Result.IsSuccess, r.Result.StatusCode, r.Result.Body, r.Result.Error));
                break;
            case RecoverWork recover when _execution is { } e && e.Id == recover.ExecutionId && e.Snapshot.Status == ExecutionStatus.Running:
                await StepAsync(new RecoverEvent());
                break;
            default:
                logger.LogDebug("Contact ({BotId}, {WaId}): stale flow work {Work} ignored", BotId, WaId, work.GetType().Name);
                break;
        }
    }

    private async Task HandleInboundAsync(InboundMessageInput input)
    {
        switch (_execution?.Snapshot.Status)
        {
            case null:
                await StartFromInboundAsync(input);
                break;
            case ExecutionStatus.WaitingForReply:
                await StepAsync(new ReplyEvent(input.ReplyValue));
                break;
            case ExecutionStatus.Running when _heldReplies.Count < MaxHeldReplies:
                // A webhook call is in flight: the reply is delivered when the execution next waits for one.
                _heldReplies.Enqueue(input);
                break;
            default:
                await LogOnlyAsync("reply_not_delivered", _execution!.Snapshot.Status == ExecutionStatus.Running
                    ? $"the contact wrote while more than {MaxHeldReplies} replies were already held; message {input.WaMessageId} is not delivered to the flow"
                    : $"the contact wrote while the flow waited for a duration; message {input.WaMessageId} is not delivered to the flow");
                break;
        }
    }

    /// <summary>A contact with no active execution wrote: the bot's default flow starts, if it has one.</summary>
    private async Task StartFromInboundAsync(InboundMessageInput input)
    {
        if (_contact is not { OptedIn: true })
        {
            return;
        }

        if (await GrainFactory.GetGrain<IBotGrain>(BotId).GetDefaultFlowAsync() is not { } flowId
            || await GrainFactory.GetGrain<IFlowGrain>(flowId).GetAsync() is not { LatestVersion: { } version } flow
            || flow.BotId != BotId
            || await Programs.GetAsync(flowId, version) is not { } program)
        {
            return;
        }

        var initial = new Dictionary<string, JsonElement> { ["trigger_message"] = JsonSerializer.SerializeToElement(input.ReplyValue) };
        await StartAsync(program, "inbound", startedBy: null, initial);
    }

    // ---- Stepping ----

    private async Task<CommandResult<ExecutionView>> StartAsync(
        FlowProgram program, string trigger, long? startedBy, IReadOnlyDictionary<string, JsonElement> initial)
    {
        var contact = _contact!;
        var outcome = FlowInterpreter.Start(program, new StartEvent(initial), Context(), time.GetUtcNow(), Limits);
        var record = new ExecutionRecord
        {
            OrganizationId = contact.OrganizationId,
            FlowId = program.FlowId,
            FlowVersion = program.Version,
            Trigger = trigger,
            StartedBy = startedBy,
            Snapshot = outcome.State,
        };
        try
        {
            await CommitAsync(record, outcome);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            DeactivateOnIdle();
            return CommandResult.Fail<ExecutionView>(CommandStatus.Conflict, "The contact already has an active execution.", "contact_phone");
        }

        _execution = record;
        _program = program;
        await AfterStepAsync(record, outcome);
        return CommandResult.Ok(View(record));
    }

    /// <summary>Applies an event to the active execution: interpret, commit, then start the effect (as queued work).</summary>
    private async Task StepAsync(FlowEvent e)
    {
        var execution = _execution!;
        var outcome = FlowInterpreter.Apply(_program!, execution.Snapshot, e, Context(), time.GetUtcNow(), Limits);
        if (ReferenceEquals(outcome.State, execution.Snapshot) && outcome.Logs.Count == 0 && outcome.Effects.Count == 0)
        {
            return;
        }

        await CommitAsync(execution, outcome);
        await AfterStepAsync(execution, outcome);
    }

    /// <summary>Commits a log line to the active execution without changing it.</summary>
    private async Task LogOnlyAsync(string @event, string detail)
    {
        var execution = _execution!;
        var node = execution.Snapshot.CurrentNodeId;
        var log = new StepLog(node, node is { } id && _program!.Nodes.TryGetValue(id, out var n) ? n.Type : null, @event, detail, time.GetUtcNow(), "info");
        await CommitAsync(execution, new StepOutcome(execution.Snapshot, [], [log]));
    }

    /// <summary>The transaction before the effect: attribute writes, the execution row, the new log lines.</summary>
    private async Task CommitAsync(ExecutionRecord execution, StepOutcome outcome)
    {
        var now = time.GetUtcNow();
        var changes = new ContactChanges();
        foreach (var set in outcome.Effects.OfType<SetAttributeEffect>())
        {
            var existing = _attributes.GetValueOrDefault(set.Key);
            changes.UpsertAttributes.RemoveAll(a => a.Key == set.Key);
            changes.UpsertAttributes.Add((set.Key, new StoredAttribute(set.Value, existing?.CreatedAt ?? now, existing is null ? null : now)));
        }

        var previous = (execution.Snapshot, execution.LogCount, execution.UpdatedAt);
        execution.Snapshot = outcome.State;
        execution.LogCount += outcome.Logs.Count;
        execution.UpdatedAt = now;
        changes.Execution = execution;
        changes.Logs.AddRange(outcome.Logs);
        try
        {
            await store.CommitAsync(BotId, WaId, _contact!.Id, changes, default);
        }
        catch
        {
            (execution.Snapshot, execution.LogCount, execution.UpdatedAt) = previous;
            throw;
        }

        foreach (var (key, attribute) in changes.UpsertAttributes)
        {
            _attributes[key] = attribute;
        }
    }

    /// <summary>After a commit: start the external effect, (re)schedule or clear the wake-up, retire an ended execution.</summary>
    private async Task AfterStepAsync(ExecutionRecord execution, StepOutcome outcome)
    {
        switch (outcome.Effects.LastOrDefault())
        {
            case SendMessageEffect send:
                _work.AddFirst(new SendWork(execution.Id, send));
                PumpLater();
                break;
            case CallWebhookEffect call:
                StartWebhook(execution.Id, call);
                break;
        }

        var snapshot = execution.Snapshot;
        if (snapshot.Status is ExecutionStatus.Waiting or ExecutionStatus.WaitingForReply && snapshot.WakeAt is { } wakeAt)
        {
            await ScheduleWakeAsync(wakeAt);
        }
        else
        {
            ClearWakeTimer();
        }

        if (snapshot.Status == ExecutionStatus.WaitingForReply && _heldReplies.TryDequeue(out var held))
        {
            _work.AddFirst(new InboundWork(held));
            PumpLater();
        }

        if (!snapshot.IsActive)
        {
            _execution = null;
            _program = null;
            _heldReplies.Clear();
            await RemoveReminderAsync();
        }
    }

    // ---- Effects ----

    private async Task<(bool Ok, string? Error)> SendFromFlowAsync(OutboundMessage message)
    {
        if (_contact is { OptedIn: false })
        {
            return (false, "the contact has opted out of messages");
        }

        var outcome = await SendCoreAsync(message, notAfter: null);
        return outcome.Status == Interfaces.WhatsApp.SendStatus.Sent
            ? (true, null)
            : (false, outcome.MetaMessage is { } meta ? $"{outcome.Detail} ({meta})" : outcome.Detail);
    }

    /// <summary>
    /// Calls the webhook off the grain's turn (it may take up to its timeout); the result comes back as queued work. The
    /// attempt number makes a result of an older attempt (before a recovery) harmless.
    /// </summary>
    private void StartWebhook(long executionId, CallWebhookEffect call)
    {
        var attempt = ++_webhookAttempt;
        var caller = Webhooks;
        var results = _webhookResults;
        var self = this.AsReference<IContactGrain>();
        var log = logger;
        DelayDeactivation(call.Timeout + TimeSpan.FromSeconds(30));
        _ = Task.Run(async () =>
        {
            WebhookCallResult result;
            try
            {
                result = await caller.CallAsync(new WebhookRequest(call.Method, call.Url, call.Headers, call.JsonBody, call.Timeout), CancellationToken.None);
            }
            catch (Exception e)
            {
                result = new WebhookCallResult(false, null, null, WebhookFailureKind.NetworkError, e.Message);
            }

            results.Enqueue(new WebhookResultWork(executionId, attempt, result));
            try
            {
                await self.PumpAsync();
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Execution {ExecutionId}: the webhook result could not be handed back; the execution recovers on its next activation", executionId);
            }
        });
    }

    // ---- Waits ----

    private async Task ScheduleWakeAsync(DateTimeOffset wakeAt)
    {
        var delay = wakeAt - time.GetUtcNow();
        delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        ClearWakeTimer();
        _wakeTimer = this.RegisterGrainTimer(OnWakeTimerAsync, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan));
        if (_reminderDueAt != wakeAt)
        {
            _reminder = await this.RegisterOrUpdateReminder(WakeReminderName, delay, ReminderPeriod);
            _reminderDueAt = wakeAt;
            _reminderMayExist = true;
        }
    }

    private Task OnWakeTimerAsync(CancellationToken cancellationToken) => WakeAsync(fromReminder: false);

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == WakeReminderName ? WakeAsync(fromReminder: true) : Task.CompletedTask;

    private async Task WakeAsync(bool fromReminder)
    {
        if (_execution is not { Snapshot.Status: ExecutionStatus.Waiting or ExecutionStatus.WaitingForReply })
        {
            // A tick for an execution that has moved on: nothing to wake. A reminder with no waiting execution behind it
            // (left by a crash between the end of an execution and the reminder's removal) is removed.
            if (fromReminder && _execution is null)
            {
                _reminderMayExist = true;
                await RemoveReminderAsync();
            }

            return;
        }

        if (_execution.Snapshot.WakeAt is { } wakeAt && wakeAt > time.GetUtcNow())
        {
            // Early (a timer that fired a little before its time, or the reminder's retry period): arm the timer again.
            await ScheduleWakeAsync(wakeAt);
            return;
        }

        try
        {
            await StepAsync(new WakeUpEvent());
        }
        catch (Exception e)
        {
            ReloadOnNextCall(e, "a wake-up");
            throw;
        }
    }

    private void ClearWakeTimer()
    {
        _wakeTimer?.Dispose();
        _wakeTimer = null;
    }

    private async Task RemoveReminderAsync()
    {
        ClearWakeTimer();
        if (!_reminderMayExist)
        {
            return;
        }

        if ((_reminder ?? await this.GetReminder(WakeReminderName)) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        _reminder = null;
        _reminderMayExist = false;
        _reminderDueAt = null;
    }

    // ---- Activation ----

    /// <summary>On activation: take back the active execution and pick up where it was.</summary>
    private async Task RestoreExecutionAsync(ExecutionRecord? loaded)
    {
        if (loaded is null)
        {
            return;
        }

        var program = await LoadProgramAsync(loaded);
        if (program is null)
        {
            // Fails it with the reason (the interpreter needs a program; this is its one decision without one).
            var now = time.GetUtcNow();
            var failed = loaded.Snapshot with
            {
                Status = ExecutionStatus.Failed,
                PendingEffect = null,
                WakeAt = null,
                EndedAt = now,
                Error = $"flow {loaded.FlowId} version {loaded.FlowVersion} no longer loads in this version of ChatBoost",
            };
            var log = new StepLog(loaded.Snapshot.CurrentNodeId, null, "failed", failed.Error, now, "error");
            await CommitAsync(loaded, new StepOutcome(failed, [], [log]));
            _reminderMayExist = true;
            await RemoveReminderAsync();
            return;
        }

        _execution = loaded;

        _program = program;
        switch (loaded.Snapshot.Status)
        {
            case ExecutionStatus.Running:
                // A crash (or a lost activation) during an effect: re-enter the step; the one in-flight effect may repeat.
                _work.AddFirst(new RecoverWork(loaded.Id));
                PumpLater();
                break;
            case ExecutionStatus.Waiting or ExecutionStatus.WaitingForReply when loaded.Snapshot.WakeAt is { } wakeAt:
                _reminderMayExist = true;
                var delay = wakeAt - time.GetUtcNow();
                if (delay > TimeSpan.Zero)
                {
                    // Woken by something else (a message): make sure the durable backstop is there.
                    await ScheduleWakeAsync(wakeAt);
                }
                else
                {
                    // Overdue (a tick missed while its silo was down is not caught up by Orleans): wake now.
                    _reminderDueAt = wakeAt;
                    _wakeTimer = this.RegisterGrainTimer(OnWakeTimerAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
                }

                break;
        }
    }

    /// <summary>The execution's pinned program; null (after failing the execution with the reason) when it no longer loads.</summary>
    private async Task<FlowProgram?> LoadProgramAsync(ExecutionRecord execution)
    {
        try
        {
            return await Programs.GetAsync(execution.FlowId, execution.FlowVersion);
        }
        catch (InvalidOperationException e)
        {
            logger.LogError(e, "Execution {ExecutionId}: flow {FlowId} version {Version} no longer loads", execution.Id, execution.FlowId, execution.FlowVersion);
            return null;
        }
    }

    private ContactContext Context() =>
        new(WaId, _contact?.Name, _attributes.ToDictionary(a => a.Key, a => a.Value.Value, StringComparer.Ordinal));

    private ExecutionView View(ExecutionRecord r)
    {
        var s = r.Snapshot;
        return new ExecutionView(r.Id, r.OrganizationId, BotId, r.FlowId, r.FlowVersion, _contact!.Id, WaId, ContactStore.StatusText(s.Status),
            s.CurrentNodeId, ExecutionSnapshot.SerializeVariables(s.Variables), s.WakeAt, s.Error, s.TotalSteps, r.Trigger, r.StartedBy,
            s.StartedAt, r.UpdatedAt, s.EndedAt);
    }
}
