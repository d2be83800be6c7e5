using ChatBoost.Grains.Interfaces.Triggers;

namespace ChatBoost.Grains.Triggers.Matching;

/// <summary>
/// The opt-out and opt-in keywords of a bot (Twilio's defaults unless the bot configures its own): a message that is
/// exactly one of them (after <see cref="KeywordText"/> normalisation, in any case) changes the contact's opt-in before
/// anything else looks at it. "stop please" is not an opt-out: like Twilio, only the whole message counts.
/// </summary>
public sealed class OptKeywords
{
    public static readonly IReadOnlyList<string> DefaultOptOut = ["STOP", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "OPTOUT"];

    public static readonly IReadOnlyList<string> DefaultOptIn = ["START", "UNSTOP"];

    private readonly HashSet<string> _optOut;
    private readonly HashSet<string> _optIn;

    public OptKeywords(IEnumerable<string> optOut, IEnumerable<string> optIn)
    {
        ArgumentNullException.ThrowIfNull(optOut);
        ArgumentNullException.ThrowIfNull(optIn);
        _optOut = new HashSet<string>(optOut.Select(KeywordText.Normalize).Where(k => k.Length > 0), StringComparer.OrdinalIgnoreCase);
        _optIn = new HashSet<string>(optIn.Select(KeywordText.Normalize).Where(k => k.Length > 0), StringComparer.OrdinalIgnoreCase);
        _optIn.ExceptWith(_optOut); // a word in both lists opts out: the safer reading
    }

    public static OptKeywords Default { get; } = new(DefaultOptOut, DefaultOptIn);

    public IReadOnlyCollection<string> OptOut => _optOut;

    public IReadOnlyCollection<string> OptIn => _optIn;

    public OptIntent? Classify(string? message)
    {
        if (message is null)
        {
            return null;
        }

        var text = KeywordText.Normalize(message);
        return _optOut.Contains(text) ? OptIntent.OptOut : _optIn.Contains(text) ? OptIntent.OptIn : null;
    }
}
