using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Interfaces.Triggers;
using ChatBoost.Grains.Triggers.Matching;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Triggers;

/// <summary>
/// The actor for one bot's triggers (key: the bot id): their only writer and the cache of their compiled form. The rows
/// in <c>triggers</c> are its state, loaded on activation; a write goes to the table first and to memory after it
/// committed. Matching is the pure <see cref="KeywordMatcher"/>; logs go through <see cref="TriggerLogWriter"/>.
/// </summary>
public sealed class TriggerSetGrain(
    TriggerStore store, OptKeywordStore optKeywordStore, TriggerLogWriter logs, TimeProvider time, ILogger<TriggerSetGrain> logger)
    : Grain, ITriggerSetGrain
{
    private TriggerSet _set = new([]);
    private BotOptKeywords _ownOptKeywords = BotOptKeywords.Defaults;
    private OptKeywords _optKeywords = OptKeywords.Default;

    private long BotId => this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _set = new TriggerSet(await store.LoadBotAsync(BotId, cancellationToken));
        _ownOptKeywords = await optKeywordStore.LoadAsync(BotId, cancellationToken);
        _optKeywords = _ownOptKeywords.Compile();
    }

    public async Task<CommandResult<TriggerView>> CreateAsync(long organizationId, long createdBy, TriggerDefinition definition)
    {
        if (_set.Count >= TriggerRules.MaxTriggersPerBot)
        {
            return CommandResult.Fail<TriggerView>(CommandStatus.Conflict, $"A bot has at most {TriggerRules.MaxTriggersPerBot} triggers.");
        }

        if (await ProblemAsync(definition) is { } problem)
        {
            return CommandResult.Fail<TriggerView>(CommandStatus.Invalid, problem.Message, problem.Field);
        }

        var stored = await store.InsertAsync(BotId, organizationId, createdBy, definition, time.GetUtcNow());
        _set.Put(stored);
        logger.LogInformation("Bot {BotId}: trigger {TriggerId} ({Type}) created", BotId, stored.Id, definition.TriggerType);
        await SyncScheduleAsync(stored.Id, stored);
        return CommandResult.Ok(stored);
    }

    public async Task<CommandResult<TriggerView>> UpdateAsync(long triggerId, TriggerDefinition definition)
    {
        if (_set.Get(triggerId) is not { } current)
        {
            return NotFound<TriggerView>();
        }

        if (definition.TriggerType != current.Definition.TriggerType)
        {
            return CommandResult.Fail<TriggerView>(CommandStatus.Invalid, "trigger_type cannot change: create a new trigger.", "trigger_type");
        }

        if (await ProblemAsync(definition) is { } problem)
        {
            return CommandResult.Fail<TriggerView>(CommandStatus.Invalid, problem.Message, problem.Field);
        }

        return await StoreAsync(current, definition);
    }

    public async Task<CommandResult<bool>> DeleteAsync(long triggerId)
    {
        if (_set.Get(triggerId) is not { } current || !await store.DeleteAsync(BotId, triggerId, time.GetUtcNow()))
        {
            return NotFound<bool>();
        }

        _set.Remove(triggerId);
        await SyncScheduleAsync(triggerId, current with { Definition = current.Definition with { IsActive = false } });
        return CommandResult.Ok(true);
    }

    public async Task<CommandResult<TriggerView>> SetActiveAsync(long triggerId, bool active)
    {
        if (_set.Get(triggerId) is not { } current)
        {
            return NotFound<TriggerView>();
        }

        if (current.Definition.IsActive == active)
        {
            return CommandResult.Ok(current);
        }

        if (active && await FlowProblemAsync(current.Definition.FlowId) is { } problem)
        {
            return CommandResult.Fail<TriggerView>(CommandStatus.Invalid, problem.Message, problem.Field);
        }

        return await StoreAsync(current, current.Definition with { IsActive = active });
    }

    public Task<TriggerView?> GetAsync(long triggerId) => Task.FromResult(_set.Get(triggerId) is { } t ? Current(t) : null);

    public Task<IReadOnlyList<TriggerView>> ListAsync() => Task.FromResult<IReadOnlyList<TriggerView>>([.. _set.All.Select(Current)]);

    public Task<IReadOnlyList<TriggerView>> EventTriggersAsync() => Task.FromResult(_set.EventTriggers);

    public async Task<CommandResult<TriggerTestResult>> TestAsync(long triggerId, string message)
    {
        if (_set.Get(triggerId) is not { } trigger)
        {
            return NotFound<TriggerTestResult>();
        }

        var normalized = KeywordText.Normalize(message);
        string? keyword = null;
        string? detail = null;
        if (trigger.Definition.TriggerType == TriggerTypes.Keyword)
        {
            keyword = TriggerRules.Rule(trigger.Id, trigger.Definition).FirstMatch(normalized);
            detail = trigger.Definition.IsActive ? null : "The trigger is inactive: it matches in a test but starts nothing until activated.";
        }
        else
        {
            detail = $"A {trigger.Definition.TriggerType} trigger fires on {(trigger.Definition.TriggerType == TriggerTypes.Event ? "events" : "its schedule")}, not on messages.";
        }

        var (wouldRun, runTrigger, runFlow) = await WouldRunAsync(message);
        return CommandResult.Ok(new TriggerTestResult(
            keyword is not null, keyword, keyword is null ? null : trigger.Definition.MatchType ?? MatchTypes.Exact, normalized, wouldRun, runTrigger, runFlow, detail));
    }

    public async Task<InboundClassification> ClassifyInboundAsync(long messageId, string contactPhone, string text, bool optedIn)
    {
        var opt = _optKeywords.Classify(text);
        var match = Contacts.InboundRouting.NeedsTriggerLookup(null, optedIn, opt, hasText: true) ? await MatchInboundAsync(messageId, contactPhone, text) : null;
        return new InboundClassification(opt, match);
    }

    public Task<OptKeywordsView> GetOptKeywordsAsync() => Task.FromResult(OptKeywordsView());

    public async Task<CommandResult<OptKeywordsView>> SetOptKeywordsAsync(long organizationId, IReadOnlyList<string>? optOut, IReadOnlyList<string>? optIn)
    {
        if (OptKeywordRules.Check(optOut, optIn).FirstOrDefault() is { } problem)
        {
            return CommandResult.Fail<OptKeywordsView>(CommandStatus.Invalid, problem.Message, problem.Field);
        }

        var own = new BotOptKeywords(optOut?.Select(KeywordText.Normalize).ToArray(), optIn?.Select(KeywordText.Normalize).ToArray());
        await optKeywordStore.SaveAsync(BotId, organizationId, own, time.GetUtcNow());
        (_ownOptKeywords, _optKeywords) = (own, own.Compile());
        logger.LogInformation("Bot {BotId}: opt keywords set (opt-out {OptOut}, opt-in {OptIn})", BotId,
            own.OptOut is null ? "defaults" : string.Join(",", own.OptOut), own.OptIn is null ? "defaults" : string.Join(",", own.OptIn));
        return CommandResult.Ok(OptKeywordsView());
    }

    private OptKeywordsView OptKeywordsView() => new(BotId,
        _ownOptKeywords.OptOut ?? OptKeywords.DefaultOptOut, _ownOptKeywords.OptIn ?? OptKeywords.DefaultOptIn,
        _ownOptKeywords.OptOut is null, _ownOptKeywords.OptIn is null);

    public async Task<InboundTriggerMatch?> MatchInboundAsync(long messageId, string contactPhone, string text)
    {
        if (_set.Matcher.Match(text) is not { } match || _set.Get(match.TriggerId) is not { } trigger)
        {
            return null;
        }

        var source = $"message:{messageId}";
        var now = time.GetUtcNow();
        if (await PublishedVersionAsync(match.FlowId) is not { } version)
        {
            await logs.WriteAsync(new TriggerLogEntry(trigger.Id, BotId, trigger.OrganizationId, TriggerLogEvents.Failed, source, contactPhone,
                match.Keyword, null, $"flow {match.FlowId} has no published version (or was deleted); nothing started", now));
            return null;
        }

        await logs.WriteAsync(new TriggerLogEntry(trigger.Id, BotId, trigger.OrganizationId, TriggerLogEvents.Matched, source, contactPhone,
            match.Keyword, null, $"{match.MatchType} match", now));
        return new InboundTriggerMatch(trigger.Id, match.FlowId, version, match.Keyword, match.MatchType, match.InterruptsWaiting);
    }

    private async Task<(string Kind, long? TriggerId, long? FlowId)> WouldRunAsync(string message)
    {
        switch (_optKeywords.Classify(message))
        {
            case OptIntent.OptOut:
                return ("opt_out", null, null);
            case OptIntent.OptIn:
                return ("opt_in", null, null);
        }

        if (_set.Matcher.Match(message) is { } match)
        {
            return ("keyword_trigger", match.TriggerId, match.FlowId);
        }

        return await GrainFactory.GetGrain<IBotGrain>(BotId).GetDefaultFlowAsync() is { } flowId && await PublishedVersionAsync(flowId) is not null
            ? ("default_flow", null, flowId)
            : ("nothing", null, null);
    }

    private async Task<CommandResult<TriggerView>> StoreAsync(TriggerView current, TriggerDefinition definition)
    {
        var now = time.GetUtcNow();
        if (!await store.UpdateAsync(BotId, current.Id, definition, now))
        {
            _set.Remove(current.Id);
            return NotFound<TriggerView>();
        }

        var stored = current with { Definition = definition, UpdatedAt = now, NextRunAt = TriggerStore.NextRun(definition, now) };
        _set.Put(stored);
        await SyncScheduleAsync(stored.Id, stored);
        return CommandResult.Ok(stored);
    }

    /// <summary>The view with its next run as of now (the one in memory was computed when it was stored or loaded).</summary>
    private TriggerView Current(TriggerView view) => view with { NextRunAt = TriggerStore.NextRun(view.Definition, time.GetUtcNow()) };

    private async Task<TriggerProblem?> ProblemAsync(TriggerDefinition definition) =>
        TriggerRules.Check(definition).FirstOrDefault() ?? await FlowProblemAsync(definition.FlowId);

    private async Task<TriggerProblem?> FlowProblemAsync(long flowId)
    {
        var flow = flowId > 0 ? await GrainFactory.GetGrain<IFlowGrain>(flowId).GetAsync() : null;
        if (flow is null || flow.BotId != BotId)
        {
            return new TriggerProblem("flow_id", "flow_id must be a flow of this bot.");
        }

        return flow.LatestVersion is null ? new TriggerProblem("flow_id", "The flow has no published version: publish it first.") : null;
    }

    private async Task<int?> PublishedVersionAsync(long flowId) =>
        await GrainFactory.GetGrain<IFlowGrain>(flowId).GetAsync() is { LatestVersion: { } version } flow && flow.BotId == BotId ? version : null;

    /// <summary>
    /// Tells a schedule trigger's clock of the change, after it committed. A failure is logged, not returned: the change
    /// stands, a tick asks this grain for the trigger as it is (so a missed deactivation fires nothing), and the silo's
    /// start syncs the active schedule triggers whose clock is not running.
    /// </summary>
    private async Task SyncScheduleAsync(long triggerId, TriggerView trigger)
    {
        if (trigger.Definition.TriggerType != TriggerTypes.Schedule)
        {
            return;
        }

        try
        {
            await GrainFactory.GetGrain<ITriggerScheduleGrain>(triggerId).SyncAsync(BotId, trigger);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Bot {BotId}: the schedule of trigger {TriggerId} was not updated; its next tick or the next silo start does", BotId, triggerId);
        }
    }

    private static CommandResult<T> NotFound<T>() => CommandResult.Fail<T>(CommandStatus.NotFound, "Trigger not found.");
}
