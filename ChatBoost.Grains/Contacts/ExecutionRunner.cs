using ChatBoost.Grains.Interfaces.WhatsApp;
using System.Text.Json;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.WhatsApp.Outbound;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Contacts;

/// <summary>What the runner needs from its grain: the durable wake-up, the precise timer, and effects run off the turn.</summary>
internal interface IExecutionHost
{
    /// <summary>The due time of the <c>flow-wake</c> reminder this activation registered, or null.</summary>
    DateTimeOffset? RegisteredWakeDue { get; }

    Task RegisterWakeAsync(DateTimeOffset due);

    Task RemoveWakeAsync();

    /// <summary>A grain timer for the exact wake time while the grain is in memory (the reminder is the backstop).</summary>
    void ArmTimer(DateTimeOffset at);

    void ClearTimer();

    /// <summary>Sends off the turn; the result comes back as a call to the grain, tagged with the execution and step.</summary>
    void StartSend(OutboundSend send, int step);

    /// <summary>Calls the webhook off the turn; the result comes back as a call to the grain.</summary>
    void StartWebhook(long executionId, int step, CallWebhookEffect call);

    /// <summary>Consume the next inbound message in a later turn (the execution may now take it).</summary>
    void ConsumeSoon();
}

/// <summary>
/// Flow executions of one contact: the pure <see cref="FlowInterpreter"/> decides; this performs, in the order that keeps
/// the promise: the durable wake-up first, then one fenced commit (execution row, log lines, attribute writes, the consumed
/// message's cursor, the step's events), then the one external effect, off the turn.
/// </summary>
internal sealed class ExecutionRunner(
    ContactSession session,
    ExecutionLimits limits,
    TimeProvider time,
    IExecutionHost host,
    ILogger logger)
{
    private FlowProgram? _program;

    /// <summary>The active execution's pinned program (null when there is none).</summary>
    public FlowProgram? Program => session.Execution is null ? null : _program;

    /// <summary>Takes back the execution loaded on activation with its program.</summary>
    public void Restore(FlowProgram program) => _program = program;

    public async Task<ExecutionRecord> StartAsync(
        FlowProgram program, long organizationId, string trigger, long? startedBy, IReadOnlyDictionary<string, JsonElement> initial,
        PendingInbound? consumed, string? startKey = null)
    {
        var now = time.GetUtcNow();
        var contact = ContactAfter(organizationId, consumed, now);
        var outcome = FlowInterpreter.Start(program, new StartEvent(initial), session.Context(contact), now, limits);
        var record = new ExecutionRecord
        {
            OrganizationId = organizationId,
            FlowId = program.FlowId,
            FlowVersion = program.Version,
            Trigger = trigger,
            StartedBy = startedBy,
            StartKey = startKey,
            Snapshot = outcome.State,
        };
        return await CommitStepAsync(null, record, outcome, program, contact, consumed, []);
    }

    /// <summary>Applies an event to the active execution: interpret, commit, then start the effect. Returns the stored record
    /// (null when the event changed nothing).</summary>
    public async Task<ExecutionRecord?> StepAsync(FlowEvent e, PendingInbound? consumed = null, IReadOnlyList<StepLog>? extraLogs = null)
    {
        var execution = session.Execution ?? throw new InvalidOperationException("No active execution.");
        var program = _program ?? throw new InvalidOperationException("The active execution has no program.");
        var now = time.GetUtcNow();
        var contact = ContactAfter(execution.OrganizationId, consumed, now);
        var outcome = FlowInterpreter.Apply(program, execution.Snapshot, e, session.Context(contact), now, limits);
        if (ReferenceEquals(outcome.State, execution.Snapshot) && outcome.Logs.Count == 0 && outcome.Effects.Count == 0
            && consumed is null && extraLogs is not { Count: > 0 })
        {
            return null;
        }

        return await CommitStepAsync(execution, execution with { Snapshot = outcome.State }, outcome, program, contact, consumed, extraLogs ?? []);
    }

    /// <summary>Commits log lines (and a consumed message) to the active execution without changing its state.</summary>
    public async Task LogOnlyAsync(string @event, string detail, PendingInbound? consumed)
    {
        var execution = session.Execution!;
        var node = execution.Snapshot.CurrentNodeId;
        var log = new StepLog(node, node is { } id && _program!.Nodes.TryGetValue(id, out var n) ? n.Type : null, @event, detail, time.GetUtcNow(), StepLogLevels.Info);
        var contact = ContactAfter(execution.OrganizationId, consumed, log.At);
        await CommitStepAsync(execution, execution, new StepOutcome(execution.Snapshot, [], []), _program!, contact, consumed, [log]);
    }

    /// <summary>The contact as the step's commit will leave it: with what the consumed message tells (cursor, profile name).
    /// The interpreter sees it, and the commit stores it.</summary>
    private ContactRecord ContactAfter(long organizationId, PendingInbound? consumed, DateTimeOffset now)
    {
        var contact = session.ContactOrNew(organizationId, now);
        return consumed is null ? contact : ContactUpdates.Consumed(contact, consumed, session.LastInboundAt, now);
    }

    /// <summary>An execution whose pinned version no longer loads fails with the reason (the interpreter needs a program).</summary>
    public async Task FailUnloadableAsync(ExecutionRecord loaded)
    {
        var now = time.GetUtcNow();
        var error = $"flow {loaded.FlowId} version {loaded.FlowVersion} no longer loads in this version of ChatBoost";
        var failed = loaded with
        {
            Snapshot = loaded.Snapshot with { Status = ExecutionStatus.Failed, PendingEffect = null, WakeAt = null, EndedAt = now, Error = error },
            LogCount = loaded.LogCount + 1,
            UpdatedAt = now,
        };
        var changes = new ContactChanges(session.Contact!) { Execution = failed };
        changes.Logs.Add(new StepLog(loaded.Snapshot.CurrentNodeId, null, StepLogEvents.Failed, error, now, StepLogLevels.Error));
        changes.Events.Add(new NewContactEvent(ContactEventTypes.FlowFailed, session.BotId, loaded.OrganizationId, session.WaId, now,
            ExecutionId: loaded.Id, FlowId: loaded.FlowId, DataJson: JsonSerializer.Serialize(new { error })));
        await session.CommitAsync(changes);
    }

    /// <summary>The result of the send of (<paramref name="executionId"/>, <paramref name="step"/>); stale results are ignored.</summary>
    public async Task<bool> OnSendFinishedAsync(long executionId, int step, OutboundResult result)
    {
        if (!IsPending(executionId, step, PendingEffectKind.Send))
        {
            logger.LogDebug("Execution {ExecutionId}: a stale send result for step {Step} ignored", executionId, step);
            return false;
        }

        switch (result)
        {
            case OutboundResult.Sent:
                await StepAsync(new SendCompletedEvent(true, null));
                break;
            case OutboundResult.InDoubt doubt:
                // The attempt may have reached the customer: never resent. The flow goes on as if it had.
                var node = session.Execution!.Snapshot.CurrentNodeId;
                await StepAsync(new SendCompletedEvent(true, null), extraLogs:
                [
                    new StepLog(node, "send_message", StepLogEvents.MessageInDoubt,
                        $"message {doubt.ClientMessageId} is in doubt: {doubt.Reason}; it is not sent again", time.GetUtcNow(), StepLogLevels.Warning),
                ]);
                break;
            case OutboundResult.Failed failed:
                await StepAsync(new SendCompletedEvent(false, failed.MetaMessage is { } meta ? $"{failed.Detail} ({meta})" : failed.Detail));
                break;
            case OutboundResult.Refused refused:
                await StepAsync(new SendCompletedEvent(false, refused.Detail));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(result), result, "Throttled results are the host's to retry.");
        }

        return true;
    }

    public async Task<bool> OnWebhookFinishedAsync(long executionId, int step, bool success, int? statusCode, JsonElement? body, string? error)
    {
        if (!IsPending(executionId, step, PendingEffectKind.Webhook))
        {
            logger.LogDebug("Execution {ExecutionId}: a stale webhook result for step {Step} ignored", executionId, step);
            return false;
        }

        await StepAsync(new WebhookCompletedEvent(success, statusCode, body, error));
        return true;
    }

    /// <summary>Whether the active execution is (<paramref name="executionId"/>, <paramref name="step"/>) waiting for that effect.</summary>
    public bool IsPending(long executionId, int step, PendingEffectKind kind) =>
        session.Execution is { } e && e.Id == executionId && e.Snapshot is { Status: ExecutionStatus.Running } s
        && s.PendingEffect == kind && s.TotalSteps == step;

    private async Task<ExecutionRecord> CommitStepAsync(
        ExecutionRecord? before, ExecutionRecord next, StepOutcome outcome, FlowProgram program, ContactRecord contact,
        PendingInbound? consumed, IReadOnlyList<StepLog> extraLogs)
    {
        var now = time.GetUtcNow();
        var plan = WakePlan.Plan(outcome.State, host.RegisteredWakeDue, now);
        if (plan is WakeChange.RegisterBefore register)
        {
            await host.RegisterWakeAsync(register.Due);
        }

        var changes = new ContactChanges(contact);
        if (!contact.IsStored)
        {
            changes.Events.Add(ContactEventFactory.ContactCreated(
                session.BotId, contact.OrganizationId, session.WaId, now, contact.Name, consumed is null ? "api" : "whatsapp"));
        }

        foreach (var set in outcome.Effects.OfType<SetAttributeEffect>())
        {
            var existing = session.Attributes.GetValueOrDefault(set.Key);
            changes.UpsertAttributes.RemoveAll(a => a.Key == set.Key);
            changes.UpsertAttributes.Add((set.Key, new StoredAttribute(set.Value, existing?.CreatedAt ?? now, existing is null ? null : now)));
        }

        changes.Logs.AddRange(extraLogs);
        changes.Logs.AddRange(outcome.Logs);
        changes.Execution = next with { LogCount = (before?.LogCount ?? 0) + changes.Logs.Count, UpdatedAt = now };
        if (consumed is not null)
        {
            changes.Events.Add(ContactEventFactory.MessageReceived(
                session.BotId, contact.OrganizationId, session.WaId, consumed.Id, consumed.MessageType, consumed.At, consumedByFlow: true));
        }

        changes.Events.AddRange(ContactEventFactory.ForStep(session.BotId, next.OrganizationId, session.WaId, next.Id, next.FlowId, next.FlowVersion,
            next.Trigger, started: before is null, wasActive: before?.Snapshot.IsActive == true, outcome, program.Nodes, now));

        var committed = await session.CommitAsync(changes);
        var saved = committed.Execution!;
        _program = saved.Snapshot.IsActive ? program : null;
        await AfterCommitAsync(saved, outcome, plan);
        return saved;
    }

    /// <summary>After a commit: the precise timer, the effect (off the turn), the reminder's removal, the next message.</summary>
    private async Task AfterCommitAsync(ExecutionRecord saved, StepOutcome outcome, WakeChange plan)
    {
        var s = saved.Snapshot;
        if (s.Status is ExecutionStatus.Waiting or ExecutionStatus.WaitingForReply && s.WakeAt is { } wakeAt)
        {
            host.ArmTimer(wakeAt);
        }
        else
        {
            host.ClearTimer();
        }

        switch (outcome.Effects.LastOrDefault())
        {
            case SendMessageEffect send when s.Status == ExecutionStatus.Running && s.PendingEffect == PendingEffectKind.Send:
                await StartSendAsync(saved, send);
                break;
            case CallWebhookEffect call when s.Status == ExecutionStatus.Running && s.PendingEffect == PendingEffectKind.Webhook:
                host.StartWebhook(saved.Id, s.TotalSteps, call);
                break;
        }

        if (plan is WakeChange.RemoveAfter)
        {
            try
            {
                await host.RemoveWakeAsync();
            }
            catch (Exception e)
            {
                // A leftover reminder ticks once more, finds no active execution and removes itself.
                logger.LogWarning(e, "Execution {ExecutionId}: its wake-up reminder could not be removed yet", saved.Id);
            }
        }

        if (s.Status == ExecutionStatus.WaitingForReply || !s.IsActive)
        {
            host.ConsumeSoon();
        }
    }

    /// <summary>The send of the current step: refused here when WhatsApp's rules forbid it, else handed to the host.</summary>
    private async Task StartSendAsync(ExecutionRecord execution, SendMessageEffect send)
    {
        if (session.Contact is { OptedIn: false })
        {
            await StepAsync(new SendCompletedEvent(false, "the contact has opted out of messages"));
            return;
        }

        if (!send.Message.IsTemplate && !ContactUpdates.WithinWindow(session.LastInboundAt, time.GetUtcNow()))
        {
            await StepAsync(new SendCompletedEvent(false, ContactUpdates.OutsideWindowDetail));
            return;
        }

        host.StartSend(FlowSend(execution, send.Message), execution.Snapshot.TotalSteps);
    }

    /// <summary>The outbox identity of a flow step's send: the same step always names the same message. The host sets its
    /// pacing deadline when it starts the attempt.</summary>
    public OutboundSend FlowSend(ExecutionRecord execution, WhatsApp.OutboundMessage message) =>
        new(OutboundIds.ForFlowStep(execution.Id, execution.Snapshot.TotalSteps), session.BotId, execution.OrganizationId, session.WaId, message,
            NotAfter: null, execution.Id);
}
