namespace ChatBoost.Grains.Interfaces.Triggers;

/// <summary>What an opt-out or opt-in keyword asks for.</summary>
[GenerateSerializer, Alias("chatboost.triggers.OptIntent")]
public enum OptIntent
{
    OptOut,
    OptIn,
}

/// <summary>A bot's opt-out and opt-in keywords (its own, or the defaults where it has none), as normalised.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.triggers.OptKeywordsView")]
public sealed record OptKeywordsView(
    [property: Id(0)] long BotId,
    [property: Id(1)] IReadOnlyList<string> OptOut,
    [property: Id(2)] IReadOnlyList<string> OptIn,
    [property: Id(3)] bool OptOutIsDefault,
    [property: Id(4)] bool OptInIsDefault);

/// <summary>
/// What the bot makes of an inbound text (precedence steps 1 and 3): <see cref="Opt"/> is what the bot's opt keywords
/// make of it (null: neither); <see cref="Match"/> the keyword trigger that claims it (looked for only when it can
/// matter: an opted-in contact, not an opt-out).
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.triggers.InboundClassification")]
public sealed record InboundClassification([property: Id(0)] OptIntent? Opt, [property: Id(1)] InboundTriggerMatch? Match);
