using ChatBoost.Grains.Flows;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.Interfaces.Triggers;

namespace ChatBoost.Grains.Triggers;

/// <summary>A keyword trigger that claims a message, with its flow's program.</summary>
internal sealed record KeywordClaim(InboundTriggerMatch Match, FlowProgram Program)
{
    /// <summary>The execution's <c>trigger</c> (and its <c>flow_started</c> event's): names the trigger that started it.</summary>
    public string ExecutionTrigger => $"{TriggerTypes.Keyword}:{Match.TriggerId}";
}

/// <summary>What the contact's inbound consumer asks for a message no execution holds: the bot's trigger set, once.</summary>
internal sealed class KeywordTriggerResolver(IGrainFactory grains, FlowProgramCache programs)
{
    public async Task<KeywordClaim?> FindAsync(long botId, long messageId, string contactPhone, string text)
    {
        if (await grains.GetGrain<ITriggerSetGrain>(botId).MatchInboundAsync(messageId, contactPhone, text) is not { } match
            || await programs.GetAsync(match.FlowId, match.FlowVersion) is not { } program)
        {
            return null;
        }

        return new KeywordClaim(match, program);
    }
}
