using System.Text.Json;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Flows;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Flows;
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
        try
        {
            await ConsumeAsync(message);
        }
        catch
        {
            _readAhead.Clear(); // the rows are the truth: read them again
            _mayHaveMore = true;
            throw;
        }

        _readAhead.Dequeue();
        return true;
    }

    private async Task ConsumeAsync(PendingInbound message)
    {
        var status = session.Execution?.Snapshot.Status;
        var optedIn = session.Contact?.OptedIn ?? true;
        FlowProgram? program = null;
        if (status is null && optedIn)
        {
            program = await defaults.FindAsync(session.BotId);
        }

        switch (InboundRule.Decide(status, optedIn, program is not null))
        {
            case InboundDecision.DeliverReply:
                await runner.StepAsync(new ReplyEvent(message.ReplyValue), consumed: message);
                break;
            case InboundDecision.LogNotDelivered:
                await runner.LogOnlyAsync(StepLogEvents.ReplyNotDelivered,
                    $"the contact wrote while the flow waited for a duration; message {message.WaMessageId} is not delivered to the flow", message);
                break;
            case InboundDecision.StartDefaultFlow:
                var initial = new Dictionary<string, JsonElement> { ["trigger_message"] = JsonSerializer.SerializeToElement(message.ReplyValue) };
                await runner.StartAsync(program!, message.OrganizationId, "inbound", startedBy: null, initial, message);
                break;
            case InboundDecision.ConsumeOnly:
                await ConsumeOnlyAsync(message);
                break;
            case InboundDecision.Hold:
                break;
        }
    }

    private async Task ConsumeOnlyAsync(PendingInbound message)
    {
        var now = time.GetUtcNow();
        var before = session.ContactOrNew(message.OrganizationId, now);
        var changes = new ContactChanges(ContactUpdates.Consumed(before, message, session.LastInboundAt, now));
        if (!before.IsStored)
        {
            changes.Events.Add(ContactEventFactory.ContactCreated(session.BotId, before.OrganizationId, session.WaId, now, changes.Contact.Name));
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
