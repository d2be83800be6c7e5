using System.Text.RegularExpressions;
using ChatBoost.Configuration;

namespace ChatBoost.Grains.Notifications;

/// <summary>
/// The users a text names: <c>@</c> followed by an e-mail address, at the start or after a non-word character (so the
/// <c>@</c> inside an address written without one is not a mention). Normalized, distinct, in order, at most
/// <see cref="MaxMentions"/>.
/// </summary>
public static partial class MentionParser
{
    public const int MaxMentions = 20;

    public static IReadOnlyList<string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. Mention().Matches(text)
            .Select(m => EmailAddress.Normalize(m.Groups["email"].Value.TrimEnd('.')))
            .Distinct(StringComparer.Ordinal)
            .Take(MaxMentions)];
    }

    [GeneratedRegex(@"(?<![\w@])@(?<email>[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)", RegexOptions.CultureInvariant)]
    private static partial Regex Mention();
}
