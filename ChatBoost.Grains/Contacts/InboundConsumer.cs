using ChatBoost.Grains.Interfaces.Triggers;
using System.Text.Json;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Flows;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Triggers;
using ChatBoost.Grains.Triggers.Matching;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Contacts;

/// <summary>
/// Consumes the contact's inbound messages after its durable cursor, one at a time, in id order (<see cref="InboundRule"/>):
/// each consumption is one fenced commit that moves the cursor together with the step the message caused. The messages
/// table is the queue: nothing the engine must act on lives only in memory, so after a crash, a deactivation or a failed
/// commit the same message is consumed again, and only once it commits is it consumed.
/// </summary>
internal sealed class InboundConsumer(
    ContactSession session,
    ContactStore store,
    ExecutionRunner runner,
    DefaultFlowResolver defaults,
    KeywordTriggerResolver triggers,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>How many messages after the cursor one read takes (the activation's load takes the first page).</summary>
    public const int ReadAhead = 20;

    private readonly Queue<PendingInbound> _readAhead = new();

    // False only when the last read found fewer than ReadAhead messages and nothing may have been recorded since: every record
    // of this contact passes through this activation (MayHaveMore), so the table need not be asked again.
    private bool _mayHaveMore = true;

    /// <summary>Takes the first messages after the cursor, read with the activation's rows.</summary>
    public void Prime(IReadOnlyList<PendingInbound> afterCursor)
    {
        _readAhead.Clear();
        foreach (var pending in afterCursor)
        {
            _readAhead.Enqueue(pending);
        }

        _mayHaveMore = afterCursor.Count >= ReadAhead;
    }

    /// <summary>A message may have been recorded that the read-ahead does not hold (a record, a poke from elsewhere).</summary>
    public void MayHaveMore() => _mayHaveMore = true;

    /// <summary>
    /// Consumes the next message if the engine can take it now. True when one was consumed (more may follow); false when
    /// there is nothing to consume or the active execution holds the queue.
    /// </summary>
    public async Task<bool> ConsumeNextAsync()
    {
        if (session.Fenced || session.Execution?.Snapshot.Status == ExecutionStatus.Running)
        {
            return false;
        }

        var cursor = session.Contact?.InboundCursor ?? 0;
        while (_readAhead.TryPeek(out var stale) && stale.Id <= cursor)
        {
            _readAhead.Dequeue();
        }

        if (_readAhead.Count == 0 && _mayHaveMore)
        {
            var read = await store.LoadInboundAfterAsync(session.BotId, session.WaId, cursor, ReadAhead, default);
            foreach (var pending in read)
            {
                _readAhead.Enqueue(pending);
            }

            _mayHaveMore = read.Count >= ReadAhead;
        }

        if (!_readAhead.TryPeek(out var message))
        {
            return false;
        }

        session.SawInbound(message.At);
        bool consumed;
        try
        {
            consumed = await ConsumeAsync(message);
        }
        catch
        {
            _readAhead.Clear(); // the rows are the truth: read them again
            _mayHaveMore = true;
            throw;
        }

        if (consumed)
        {
            _readAhead.Dequeue();
        }

        // Not consumed (an interrupted execution was cancelled first): it stays the next message and is routed again.
        return true;
    }

    /// <summary>Routes the message; false when it stays after the cursor (an interrupted execution was cancelled first).</summary>
    private async Task<bool> ConsumeAsync(PendingInbound message)
    {
        var status = session.Execution?.Snapshot.Status;
        var optedIn = session.Contact?.OptedIn ?? true;
        OptIntent? opt = null;
        KeywordClaim? claim = null;
        if (InboundRouting.NeedsBotLookup(status, message.MessageType == "text" && message.Text is not null))
        {
            (opt, claim) = await triggers.ClassifyAsync(session.BotId, message.Id, session.WaId, message.Text!, optedIn);
        }

        FlowProgram? program = null;
        if (status is null && optedIn && claim is null)
        {
            program = await defaults.FindAsync(session.BotId);
        }

        switch (InboundRouting.Decide(status, optedIn, opt, claim is not null, claim?.Match.InterruptsWaiting == true, program is not null))
        {
            case InboundRoute.OptOut or InboundRoute.OptIn:
                await ChangeOptInAsync(message, optedIn: opt == OptIntent.OptIn);
                break;
            case InboundRoute.DeliverReply:
                await runner.StepAsync(new ReplyEvent(message.ReplyValue), consumed: message);
                break;
            case InboundRoute.LogNotDelivered:
                await runner.LogOnlyAsync(StepLogEvents.ReplyNotDelivered,
                    $"the contact wrote while the flow waited for a duration; message {message.WaMessageId} is not delivered to the flow", message);
                break;
            case InboundRoute.InterruptWaiting:
                // Its own commit; the message stays after the cursor and is routed again, to the trigger, next turn.
                await runner.StepAsync(new CancelEvent($"interrupted by keyword trigger {claim!.Match.TriggerId}"));
                return false;
            case InboundRoute.StartKeywordTrigger:
                await runner.StartAsync(claim!.Program, message.OrganizationId, claim.ExecutionTrigger, startedBy: null, new Dictionary<string, JsonElement>
                {
                    ["trigger_message"] = JsonSerializer.SerializeToElement(message.ReplyValue),
                    ["trigger_id"] = JsonSerializer.SerializeToElement(claim.Match.TriggerId),
                    ["trigger_keyword"] = JsonSerializer.SerializeToElement(claim.Match.Keyword),
                }, message);
                break;
            case InboundRoute.StartDefaultFlow:
                var initial = new Dictionary<string, JsonElement> { ["trigger_message"] = JsonSerializer.SerializeToElement(message.ReplyValue) };
                await runner.StartAsync(program!, message.OrganizationId, "inbound", startedBy: null, initial, message);
                break;
            case InboundRoute.ConsumeOnly:
                await ConsumeOnlyAsync(message);
                break;
            case InboundRoute.Hold:
                return false;
        }

        return true;
    }

    /// <summary>An opt-out or opt-in keyword: the contact's opt-in, the cursor and the events in one commit.</summary>
    private async Task ChangeOptInAsync(PendingInbound message, bool optedIn)
    {
        var now = time.GetUtcNow();
        var before = session.ContactOrNew(message.OrganizationId, now);
        var consumed = ContactUpdates.Consumed(before, message, session.LastInboundAt, now);
        var changes = new ContactChanges(consumed with { OptedIn = optedIn, OptedChangedAt = now, UpdatedAt = now });
        if (!before.IsStored)
        {
            changes.Events.Add(ContactEventFactory.ContactCreated(session.BotId, before.OrganizationId, session.WaId, now, changes.Contact.Name, "whatsapp"));
        }

        changes.Events.Add(ContactEventFactory.MessageReceived(
            session.BotId, before.OrganizationId, session.WaId, message.Id, message.MessageType, message.At, consumedByFlow: false));
        changes.Events.Add(ContactEventFactory.OptChanged(session.BotId, before.OrganizationId, session.WaId, optedIn, now, "keyword"));
        await session.CommitAsync(changes);
        logger.LogInformation("Contact ({BotId}, {WaId}): opted {Direction} by keyword (message {MessageId})",
            session.BotId, session.WaId, optedIn ? "in" : "out", message.Id);
    }

    private async Task ConsumeOnlyAsync(PendingInbound message)
    {
        var now = time.GetUtcNow();
        var before = session.ContactOrNew(message.OrganizationId, now);
        var changes = new ContactChanges(ContactUpdates.Consumed(before, message, session.LastInboundAt, now));
        if (!before.IsStored)
        {
            changes.Events.Add(ContactEventFactory.ContactCreated(session.BotId, before.OrganizationId, session.WaId, now, changes.Contact.Name, "whatsapp"));
        }

        changes.Events.Add(ContactEventFactory.MessageReceived(
            session.BotId, before.OrganizationId, session.WaId, message.Id, message.MessageType, message.At, consumedByFlow: false));
        await session.CommitAsync(changes);
        logger.LogDebug("Contact ({BotId}, {WaId}): message {MessageId} consumed without a flow", session.BotId, session.WaId, message.Id);
    }
}

/// <summary>The bot's default flow, as a runnable program: what a contact without an active execution starts when it writes.</summary>
internal sealed class DefaultFlowResolver(IGrainFactory grains, FlowProgramCache programs)
{
    public async Task<FlowProgram?> FindAsync(long botId)
    {
        if (await grains.GetGrain<IBotGrain>(botId).GetDefaultFlowAsync() is not { } flowId
            || await grains.GetGrain<IFlowGrain>(flowId).GetAsync() is not { LatestVersion: { } version } flow
            || flow.BotId != botId)
        {
            return null;
        }

        return await programs.GetAsync(flowId, version);
    }
}
