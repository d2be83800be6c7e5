using System.Text.RegularExpressions;

namespace ChatBoost.Grains.Triggers.Matching;

/// <summary>The seed's <c>match_type</c> values.</summary>
public static class MatchTypes
{
    public const string Exact = "exact";
    public const string Contains = "contains";
    public const string StartsWith = "starts_with";
    public const string EndsWith = "ends_with";
    public const string Regex = "regex";

    public static readonly IReadOnlyList<string> All = [Exact, Contains, StartsWith, EndsWith, Regex];
}

/// <summary>Which keyword of which trigger matched a message, and by which rule.</summary>
public sealed record KeywordMatch(long TriggerId, long FlowId, string Keyword, string MatchType, bool InterruptsWaiting);

/// <summary>
/// One active keyword trigger, compiled: its keywords normalised (<see cref="KeywordText"/>), its regular expressions built
/// once with <see cref="RegexOptions.NonBacktracking"/> (linear in the message's length whatever the pattern, so no
/// pattern can stall a silo) and a match timeout as a second guard.
/// </summary>
public sealed class KeywordRule
{
    /// <summary>The second guard: a match that takes longer than this counts as no match.</summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Regex[] _patterns;

    private KeywordRule(long triggerId, long flowId, int priority, string matchType, bool caseSensitive, bool interrupts, string[] keywords, Regex[] patterns)
    {
        TriggerId = triggerId;
        FlowId = flowId;
        Priority = priority;
        MatchType = matchType;
        CaseSensitive = caseSensitive;
        InterruptsWaiting = interrupts;
        Keywords = keywords;
        _patterns = patterns;
    }

    public long TriggerId { get; }

    public long FlowId { get; }

    /// <summary>Higher runs first; equal priorities run by lower trigger id.</summary>
    public int Priority { get; }

    public string MatchType { get; }

    public bool CaseSensitive { get; }

    /// <summary>Whether a match takes the message even from an execution waiting for a reply.</summary>
    public bool InterruptsWaiting { get; }

    /// <summary>The keywords, normalised (for a regex rule: the patterns as given).</summary>
    public IReadOnlyList<string> Keywords { get; }

    /// <summary>Compiles a rule; throws <see cref="ArgumentException"/> for a pattern the validator would have refused.</summary>
    public static KeywordRule Create(
        long triggerId, long flowId, int priority, string matchType, bool caseSensitive, bool interruptsWaiting, IEnumerable<string> keywords)
    {
        ArgumentNullException.ThrowIfNull(keywords);
        if (!MatchTypes.All.Contains(matchType))
        {
            throw new ArgumentException($"Unknown match type '{matchType}'.", nameof(matchType));
        }

        if (matchType == MatchTypes.Regex)
        {
            var list = keywords.ToArray();
            return new KeywordRule(triggerId, flowId, priority, matchType, caseSensitive, interruptsWaiting, list,
                [.. list.Select(p => BuildRegex(p, caseSensitive))]);
        }

        var normalized = keywords.Select(KeywordText.Normalize).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        return new KeywordRule(triggerId, flowId, priority, matchType, caseSensitive, interruptsWaiting, normalized, []);
    }

    /// <summary>The pattern as a rule runs it, or the reason it cannot run (a construct the non-backtracking engine lacks,
    /// such as a back-reference or a look-around, or a syntax error).</summary>
    public static string? RegexProblem(string pattern, bool caseSensitive)
    {
        try
        {
            _ = BuildRegex(pattern, caseSensitive);
            return null;
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            return e.Message;
        }
        catch (NotSupportedException e)
        {
            return e.Message;
        }
    }

    /// <summary>The first keyword of this rule that matches <paramref name="text"/> (already normalised), or null.</summary>
    public string? FirstMatch(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (MatchType == MatchTypes.Regex)
        {
            for (var i = 0; i < _patterns.Length; i++)
            {
                try
                {
                    if (_patterns[i].IsMatch(text))
                    {
                        return Keywords[i];
                    }
                }
                catch (RegexMatchTimeoutException)
                {
                    // counted as no match: a message never waits on a pattern
                }
            }

            return null;
        }

        var comparison = CaseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        foreach (var keyword in Keywords)
        {
            var matched = MatchType switch
            {
                MatchTypes.Exact => string.Equals(text, keyword, comparison),
                MatchTypes.Contains => text.Contains(keyword, comparison),
                MatchTypes.StartsWith => text.StartsWith(keyword, comparison),
                _ => text.EndsWith(keyword, comparison),
            };
            if (matched)
            {
                return keyword;
            }
        }

        return null;
    }

    private static Regex BuildRegex(string pattern, bool caseSensitive)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;
        if (!caseSensitive)
        {
            options |= RegexOptions.IgnoreCase;
        }

        return new Regex(pattern, options, RegexTimeout);
    }
}
