using ChatBoost.Grains.Flows;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.Interfaces.Triggers;
using ChatBoost.Grains.Triggers.Matching;

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
    /// <summary>The bot's opt keywords applied to the text, and the keyword trigger that claims it (with its program), if any.</summary>
    public async Task<(OptIntent? Opt, KeywordClaim? Claim)> ClassifyAsync(long botId, long messageId, string contactPhone, string text, bool optedIn)
    {
        var found = await grains.GetGrain<ITriggerSetGrain>(botId).ClassifyInboundAsync(messageId, contactPhone, text, optedIn);
        return found.Match is { } match && await programs.GetAsync(match.FlowId, match.FlowVersion) is { } program
            ? (found.Opt, new KeywordClaim(match, program))
            : (found.Opt, null);
    }
}
