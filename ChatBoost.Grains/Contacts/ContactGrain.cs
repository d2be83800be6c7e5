using System.Collections.Concurrent;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Flows;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.Flows.Http;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Interfaces.WhatsApp;
using ChatBoost.Grains.Triggers;
using ChatBoost.Grains.WhatsApp.MessageStore;
using ChatBoost.Grains.WhatsApp.Outbound;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Timers;

namespace ChatBoost.Grains.Contacts;

/// <inheritdoc cref="IContactGrain"/>
/// <remarks>
/// The actor shell: identity, turn-based concurrency, timers, the reminder and effects run off the turn. What the contact
/// is lives in its rows (<see cref="ContactSession"/>); the decisions are pure (<see cref="FlowInterpreter"/>,
/// <see cref="InboundRule"/>, <see cref="WakePlan"/>); the work is done by its collaborators: <see cref="InboundConsumer"/>
/// (the durable inbound cursor), <see cref="ExecutionRunner"/> (steps: wake-up, fenced commit, effect), <see cref="ApiSends"/> (the send API),
/// <see cref="ExecutionCommands"/> and <see cref="ProfileCommands"/> (the API's commands), <see cref="OutboundSender"/>
/// (every send). Memory caches what is durable and holds nothing only it knows: a crash at any point is followed by a
/// reminder tick or the sweeper's poke, and the activation that follows resumes from the rows.
/// </remarks>
public sealed class ContactGrain(
    ContactStore store,
    BatchingMessageWriter messages,
    OutboundSender sender,
    WebhookCaller webhooks,
    FlowProgramCache programs,
    IOptions<FlowEngineOptions> engineOptions,
    TimeProvider time,
    ILogger<ContactGrain> logger) : Grain, IContactGrain, IRemindable, IExecutionHost
{
    public const string WakeReminderName = "flow-wake";

    private readonly ConcurrentQueue<EffectDone> _results = new();
    private ContactSession _session = null!;
    private ExecutionRunner _runner = null!;
    private InboundConsumer _inbound = null!;
    private ExecutionCommands _executions = null!;
    private AutomatedStarts _automated = null!;
    private ProfileCommands _profile = null!;
    private ApiSends _sends = null!;
    private IGrainTimer? _wakeTimer;
    private IGrainTimer? _retryTimer;
    private IGrainReminder? _reminder;
    private (long ExecutionId, int Step)? _inFlight;
    private bool _pokeScheduled;

    private abstract record EffectDone(long ExecutionId, int Step);

    private sealed record SendDone(long ExecutionId, int Step, OutboundSend Send, OutboundResult? Result) : EffectDone(ExecutionId, Step);

    private sealed record WebhookDone(long ExecutionId, int Step, WebhookCallResult Result) : EffectDone(ExecutionId, Step);

    public DateTimeOffset? RegisteredWakeDue { get; private set; }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var botId = this.GetPrimaryKeyLong(out var waId);
        _session = new ContactSession(botId, waId!, store);
        _runner = new ExecutionRunner(_session, engineOptions.Value.ToLimits(), time, this, logger);
        _inbound = new InboundConsumer(_session, store, _runner, new DefaultFlowResolver(GrainFactory, programs), new KeywordTriggerResolver(GrainFactory, programs), time, logger);
        _executions = new ExecutionCommands(_session, store, _runner, programs, GrainFactory, logger);
        _automated = new AutomatedStarts(_session, store, _runner, programs, GrainFactory, logger);
        _profile = new ProfileCommands(_session, time);
        _sends = new ApiSends(_session, sender, GrainFactory, time, logger);

        var loaded = await _session.LoadAsync(cancellationToken);
        _inbound.Prime(loaded.InboundAfterCursor);
        if (loaded.ActiveExecution is { } execution)
        {
            await RestoreAsync(execution);
        }

        // Messages recorded but not consumed (a crash, a failed commit) are taken now, in order, and a step left running is
        // re-entered. With neither, that poke would find nothing: the activating call's own poke follows, and it carries
        // that call's trace (one webhook, one trace), which a poke sent from here cannot.
        if (loaded.InboundAfterCursor.Count > 0 || loaded.ActiveExecution is { Snapshot.Status: ExecutionStatus.Running })
        {
            ConsumeSoon();
        }
    }

    public Task<ContactProfile?> GetProfileAsync() =>
        Task.FromResult(_session.Contact is { IsStored: true } c ? new ContactProfile(_session.BotId, _session.WaId, c.Name, c.CreatedAt, _session.LastInboundAt) : null);

    // ---- Inbound ----

    public async Task<InboundOutcome> RecordInboundAsync(InboundMessageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);

        // The durable record: one row, de-duplicated by the table's unique (bot, wamid), committed in a batch with other
        // grains' rows. Duplicate also means "already durable". Either way the consumer looks at the cursor: a record that
        // committed while the rest of an earlier call failed is consumed now.
        RecordOutcome outcome;
        try
        {
            outcome = await messages.RecordInboundAsync(InboundRecord.ForContact(_session.BotId, _session.WaId, input));
        }
        finally
        {
            Recorded(input.Timestamp); // also when the record failed: it may have committed all the same
        }

        ConsumeSoon();
        return outcome == RecordOutcome.Duplicate ? InboundOutcome.Duplicate : InboundOutcome.Recorded;
    }

    public Task InboundRecordedAsync(DateTimeOffset? lastMessageAt)
    {
        // Nobody waits for a one-way call: consume in this turn, so the first step runs under the webhook's trace (a poke
        // scheduled by the activation carries none). More messages follow through ConsumeSoon, as after any poke.
        Recorded(lastMessageAt);
        return LookAtWorkAsync();
    }

    private void Recorded(DateTimeOffset? lastMessageAt)
    {
        _inbound.MayHaveMore();
        _session.SawInbound(lastMessageAt ?? time.GetUtcNow());
    }

    public async Task PokeAsync()
    {
        if (!_pokeScheduled)
        {
            _inbound.MayHaveMore(); // a poke from elsewhere (the sweeper): it may know of messages this activation does not
        }

        _pokeScheduled = false;
        await LookAtWorkAsync();
    }

    /// <summary>Takes the results of effects, re-enters a step left running, and consumes the next message if it can.</summary>
    private async Task LookAtWorkAsync()
    {
        await GuardAsync("looking at the contact's work", async () =>
        {
            await DrainResultsAsync();
            if (_session.Execution is { Snapshot.Status: ExecutionStatus.Running } && _inFlight is null)
            {
                // A step whose effect is not in flight here: its activation died, or its result was lost. Re-enter it; a
                // send repeats only what its outbox row says was never attempted.
                await _runner.StepAsync(new RecoverEvent());
            }

            if (await _inbound.ConsumeNextAsync())
            {
                ConsumeSoon();
            }
        });
    }

    public void ConsumeSoon()
    {
        if (_pokeScheduled)
        {
            return;
        }

        _pokeScheduled = true;
        this.AsReference<IContactGrain>().PokeAsync().Ignore();
    }

    // ---- Outbound (the send API) ----

    public Task<SendOutcome> SendAsync(SendCommand command) => _sends.SendAsync(command);

    // ---- Profile and attributes ----

    public Task<ContactView?> GetAsync(bool includeAttributes) => Task.FromResult(_profile.Get(includeAttributes));

    public Task<CommandResult<ContactView>> CreateAsync(CreateContactCommand command) => Guard("creating the contact", () => _profile.CreateAsync(command));

    public Task<CommandResult<ContactView>> UpdateAsync(UpdateContactCommand command) => Guard("updating the contact", () => _profile.UpdateAsync(command));

    public Task<IReadOnlyList<AttributeView>?> GetAttributesAsync() => Task.FromResult(_profile.GetAttributes());

    public Task<CommandResult<IReadOnlyList<AttributeView>>> SetAttributesAsync(IReadOnlyList<SetAttributeCommand> attributes) =>
        Guard("setting attributes", () => _profile.SetAttributesAsync(attributes));

    public Task<CommandResult<bool>> DeleteAttributeAsync(string key) => Guard("deleting an attribute", () => _profile.DeleteAttributeAsync(key));

    // ---- Flow executions ----

    /// <summary>Starts a flow; a contact not stored yet is created by the start's own commit.</summary>
    public Task<CommandResult<ExecutionView>> StartExecutionAsync(StartExecutionCommand command) =>
        Guard("starting an execution", () => _executions.StartAsync(command));

    public Task<AutomatedStartOutcome> StartAutomatedAsync(AutomatedStartCommand command) =>
        Guard("an automated start", () => _automated.StartAsync(command));

    public Task<CommandResult<ExecutionView>> ResumeExecutionAsync(long executionId) => Guard("resuming an execution", () => _executions.ResumeAsync(executionId));

    public Task<CommandResult<ExecutionView>> CancelExecutionAsync(long executionId, string reason) =>
        Guard("cancelling an execution", () => _executions.CancelAsync(executionId, reason));

    public Task<CommandResult<ExecutionView>> SubmitInputAsync(long executionId, string message) =>
        Guard("submitting input", () => _executions.SubmitInputAsync(executionId, message));

    // ---- Waking ----

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == WakeReminderName ? GuardAsync("a wake-up", () => WakeAsync(fromReminder: true)) : Task.CompletedTask;

    private async Task WakeAsync(bool fromReminder)
    {
        await DrainResultsAsync();
        switch (_session.Execution?.Snapshot)
        {
            case null when fromReminder:
                // Left by a crash between an execution's end and the reminder's removal: nothing to wake.
                await RemoveWakeAsync();
                break;
            case { Status: ExecutionStatus.Waiting or ExecutionStatus.WaitingForReply, WakeAt: { } wakeAt } when wakeAt > time.GetUtcNow():
                ArmTimer(wakeAt); // early: a timer a little ahead of its time, or the reminder's period
                break;
            case { Status: ExecutionStatus.Waiting or ExecutionStatus.WaitingForReply }:
                await _runner.StepAsync(new WakeUpEvent());
                break;
            case { Status: ExecutionStatus.Running } when _inFlight is null:
                await _runner.StepAsync(new RecoverEvent());
                break;
        }

        ConsumeSoon();
    }

    public async Task RegisterWakeAsync(DateTimeOffset due)
    {
        var delay = due - time.GetUtcNow();
        _reminder = await this.RegisterOrUpdateReminder(WakeReminderName, delay > TimeSpan.FromSeconds(1) ? delay : TimeSpan.FromSeconds(1), WakePlan.Period);
        RegisteredWakeDue = due;
    }

    public async Task RemoveWakeAsync()
    {
        ClearTimer();
        if ((_reminder ?? await this.GetReminder(WakeReminderName)) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        _reminder = null;
        RegisteredWakeDue = null;
    }

    public void ArmTimer(DateTimeOffset at)
    {
        ClearTimer();
        var delay = at - time.GetUtcNow();
        _wakeTimer = this.RegisterGrainTimer(_ => GuardAsync("a wake-up", () => WakeAsync(fromReminder: false)),
            new GrainTimerCreationOptions(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    public void ClearTimer()
    {
        _wakeTimer?.Dispose();
        _wakeTimer = null;
    }

    // ---- Effects off the turn ----

    public void StartSend(OutboundSend send, int step)
    {
        var executionId = send.ExecutionId ?? throw new ArgumentException("A flow send names its execution.", nameof(send));
        send = send with { NotAfter = sender.FlowNotAfter() }; // a flow step waits at most this long for its pacing slot
        _inFlight = (executionId, step);
        var results = _results;
        var self = this.AsReference<IContactGrain>();
        var log = logger;
        DelayDeactivation(TimeSpan.FromMinutes(2));
        _ = Task.Run(async () =>
        {
            OutboundResult? result = null;
            try
            {
                result = await sender.SendAsync(send, CancellationToken.None);
            }
            catch (Exception e)
            {
                // The outbox row says what happened; the step is re-entered and the sender reads it.
                log.LogWarning(e, "Execution {ExecutionId}: the send of step {Step} did not finish; it is recovered from its outbox row", executionId, step);
            }

            results.Enqueue(new SendDone(executionId, step, send, result));
            await HandBackAsync(self, log, executionId);
        });
    }

    public void StartWebhook(long executionId, int step, CallWebhookEffect call)
    {
        _inFlight = (executionId, step);
        var botId = _session.BotId;
        var results = _results;
        var self = this.AsReference<IContactGrain>();
        var log = logger;
        DelayDeactivation(call.Timeout + TimeSpan.FromSeconds(30));
        _ = Task.Run(async () =>
        {
            WebhookCallResult result;
            try
            {
                // Named by its bot, so the organization's own allow-list entries apply besides the platform's.
                var request = new WebhookRequest(call.Method, call.Url, call.Headers, call.JsonBody, call.Timeout) { BotId = botId };
                result = await webhooks.CallAsync(request, CancellationToken.None);
            }
            catch (Exception e)
            {
                result = new WebhookCallResult(false, null, null, WebhookFailureKind.NetworkError, e.Message);
            }

            results.Enqueue(new WebhookDone(executionId, step, result));
            await HandBackAsync(self, log, executionId);
        });
    }

    private static async Task HandBackAsync(IContactGrain self, ILogger log, long executionId)
    {
        try
        {
            await self.PokeAsync();
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Execution {ExecutionId}: an effect's result could not be handed back; the execution recovers on its next wake-up", executionId);
        }
    }

    private async Task DrainResultsAsync()
    {
        while (_results.TryDequeue(out var done))
        {
            if (_inFlight == (done.ExecutionId, done.Step))
            {
                _inFlight = null;
            }

            switch (done)
            {
                case SendDone { Result: OutboundResult.Throttled throttled } send when _runner.IsPending(send.ExecutionId, send.Step, PendingEffectKind.Send):
                    // No pacing slot in time: the step waits (its row stays queued, the reminder is its backstop) and tries again.
                    _inFlight = (send.ExecutionId, send.Step);
                    ArmRetry(throttled.RetryAt, send.Send, send.Step);
                    break;
                case SendDone { Result: { } result and not OutboundResult.Throttled } send:
                    await _runner.OnSendFinishedAsync(send.ExecutionId, send.Step, result);
                    break;
                case WebhookDone webhook:
                    var r = webhook.Result;
                    await _runner.OnWebhookFinishedAsync(webhook.ExecutionId, webhook.Step, r.IsSuccess, r.StatusCode, r.Body, r.Error);
                    break;
            }
        }
    }

    private void ArmRetry(DateTimeOffset at, OutboundSend send, int step)
    {
        _retryTimer?.Dispose();
        var delay = at - time.GetUtcNow();
        _retryTimer = this.RegisterGrainTimer(_ =>
            {
                _retryTimer?.Dispose();
                _retryTimer = null;
                if (_runner.IsPending(send.ExecutionId!.Value, step, PendingEffectKind.Send))
                {
                    StartSend(send, step);
                }

                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    // ---- Activation ----

    private async Task RestoreAsync(ExecutionRecord execution)
    {
        if (await _executions.LoadProgramAsync(execution) is not { } program)
        {
            await _runner.FailUnloadableAsync(execution);
            await RemoveWakeAsync();
            return;
        }

        _runner.Restore(program);
        var s = execution.Snapshot;
        // The reminder was registered before the commit that left the execution in this state (WakePlan), so it exists.
        RegisteredWakeDue = s.WakeAt ?? time.GetUtcNow();
        if (s.Status is ExecutionStatus.Waiting or ExecutionStatus.WaitingForReply && s.WakeAt is { } wakeAt)
        {
            ArmTimer(wakeAt); // an overdue wait (its tick was missed while a silo was down) wakes at once
        }
    }

    // ---- Failures ----

    private async Task<T> Guard<T>(string what, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e)
        {
            ReloadOnNextCall(e, what);
            throw;
        }
    }

    private Task GuardAsync(string what, Func<Task> action) => Guard(what, async () =>
    {
        await action();
        return true;
    });

    /// <summary>A failed or fenced write: the next call must start from the rows again.</summary>
    private void ReloadOnNextCall(Exception e, string what)
    {
        if (e is ContactFencedException)
        {
            logger.LogWarning("Contact ({BotId}, {WaId}): {What} was fenced off ({Reason}); this activation stops", _session.BotId, _session.WaId, what, e.Message);
        }
        else
        {
            logger.LogError(e, "Contact ({BotId}, {WaId}): {What} failed; the activation is dropped and reloads from the database", _session.BotId, _session.WaId, what);
        }

        DeactivateOnIdle();
    }
}
