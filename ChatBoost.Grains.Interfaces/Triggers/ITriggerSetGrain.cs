namespace ChatBoost.Grains.Interfaces.Triggers;

/// <summary>
/// The triggers of one bot (key: the bot id): their only writer, holding the active ones compiled in memory so that an
/// inbound message costs one call and no database read to match. Calls run one at a time, so a change and the matching
/// it affects never interleave.
/// </summary>
[Alias("chatboost.triggers.ITriggerSetGrain")]
public interface ITriggerSetGrain : IGrainWithIntegerKey
{
    /// <summary>Creates a trigger after checking it whole (422 with the field: unknown time zone, bad cron, empty keywords,
    /// a flow of another bot or without a published version…).</summary>
    [Alias("Create")]
    Task<CommandResult<TriggerView>> CreateAsync(long organizationId, long createdBy, TriggerDefinition definition);

    /// <summary>Replaces a trigger's definition (checked as on create); its type cannot change.</summary>
    [Alias("Update")]
    Task<CommandResult<TriggerView>> UpdateAsync(long triggerId, TriggerDefinition definition);

    [Alias("Delete")]
    Task<CommandResult<bool>> DeleteAsync(long triggerId);

    [Alias("SetActive")]
    Task<CommandResult<TriggerView>> SetActiveAsync(long triggerId, bool active);

    [Alias("Get")]
    Task<TriggerView?> GetAsync(long triggerId);

    /// <summary>The bot's live triggers, by id.</summary>
    [Alias("List")]
    Task<IReadOnlyList<TriggerView>> ListAsync();

    /// <summary>The bot's active event triggers, by priority (highest first), then id: what the event-trigger subscriber of
    /// the outlet fires, in that order.</summary>
    [Alias("EventTriggers")]
    Task<IReadOnlyList<TriggerView>> EventTriggersAsync();

    /// <summary>What the trigger and the bot would do with a message; changes nothing.</summary>
    [Alias("Test")]
    Task<CommandResult<TriggerTestResult>> TestAsync(long triggerId, string message);

    /// <summary>
    /// The keyword trigger that claims inbound message <paramref name="messageId"/> (text <paramref name="text"/>) of
    /// contact <paramref name="contactPhone"/>, or null. A match is logged once per message, however often it is asked.
    /// </summary>
    [Alias("MatchInbound")]
    Task<InboundTriggerMatch?> MatchInboundAsync(long messageId, string contactPhone, string text);

    /// <summary>
    /// The bot's opt keywords applied to inbound text <paramref name="text"/>, and — when the contact is
    /// <paramref name="optedIn"/> and it is not an opt-out — the keyword trigger that claims it (as
    /// <see cref="MatchInboundAsync"/>, logged once per message). One call per inbound text the contact can take.
    /// </summary>
    [Alias("ClassifyInbound")]
    Task<InboundClassification> ClassifyInboundAsync(long messageId, string contactPhone, string text, bool optedIn);

    /// <summary>The bot's opt-out / opt-in keywords.</summary>
    [Alias("GetOptKeywords")]
    Task<OptKeywordsView> GetOptKeywordsAsync();

    /// <summary>Replaces the bot's opt keywords; a null list means the defaults. 422 naming the field when a list is invalid.</summary>
    [Alias("SetOptKeywords")]
    Task<CommandResult<OptKeywordsView>> SetOptKeywordsAsync(long organizationId, IReadOnlyList<string>? optOut, IReadOnlyList<string>? optIn);
}
