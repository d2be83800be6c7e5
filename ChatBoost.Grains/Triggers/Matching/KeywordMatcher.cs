namespace ChatBoost.Grains.Triggers.Matching;

/// <summary>
/// A bot's active keyword triggers, compiled for one question: which trigger does this message start? Rules are tried by
/// priority (higher first), then trigger id (lower first); the first rule with a matching keyword wins. Exact keywords are
/// also indexed in dictionaries, so a bot with a thousand exact triggers costs two look-ups plus the scan of its other
/// rules, and the scan stops at the first rule that ranks below the best exact hit.
/// </summary>
public sealed class KeywordMatcher
{
    private readonly KeywordRule[] _ordered;
    private readonly KeywordRule[] _scanned;
    private readonly Dictionary<string, KeywordRule> _exactSensitive = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KeywordRule> _exactInsensitive = new(StringComparer.OrdinalIgnoreCase);

    public KeywordMatcher(IEnumerable<KeywordRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _ordered = [.. rules.OrderBy(r => r, RankComparer.Instance)];
        foreach (var rule in _ordered.Where(r => r.MatchType == MatchTypes.Exact))
        {
            var index = rule.CaseSensitive ? _exactSensitive : _exactInsensitive;
            foreach (var keyword in rule.Keywords)
            {
                index.TryAdd(keyword, rule); // in rank order, so the first rule to claim a keyword outranks the later ones
            }
        }

        _scanned = [.. _ordered.Where(r => r.MatchType != MatchTypes.Exact)];
    }

    public static KeywordMatcher Empty { get; } = new([]);

    public IReadOnlyList<KeywordRule> Rules => _ordered;

    /// <summary>The winning trigger for a message as the contact wrote it (normalised here), or null.</summary>
    public KeywordMatch? Match(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = KeywordText.Normalize(message);
        if (text.Length == 0)
        {
            return null;
        }

        var best = Better(Exact(_exactSensitive, text), Exact(_exactInsensitive, text));
        foreach (var rule in _scanned)
        {
            if (best is not null && RankComparer.Instance.Compare(best.Value.Rule, rule) < 0)
            {
                break; // every later rule ranks below the exact hit
            }

            if (rule.FirstMatch(text) is { } keyword)
            {
                best = (rule, keyword);
                break;
            }
        }

        return best is { } found ? new KeywordMatch(found.Rule.TriggerId, found.Rule.FlowId, found.Keyword, found.Rule.MatchType, found.Rule.InterruptsWaiting) : null;
    }

    private static (KeywordRule Rule, string Keyword)? Exact(Dictionary<string, KeywordRule> index, string text) =>
        index.TryGetValue(text, out var rule) ? (rule, rule.Keywords.First(k => index.Comparer.Equals(k, text))) : null;

    private static (KeywordRule Rule, string Keyword)? Better((KeywordRule Rule, string Keyword)? a, (KeywordRule Rule, string Keyword)? b) =>
        a is null ? b : b is null ? a : RankComparer.Instance.Compare(a.Value.Rule, b.Value.Rule) <= 0 ? a : b;

    /// <summary>Higher priority first, then lower trigger id.</summary>
    private sealed class RankComparer : IComparer<KeywordRule>
    {
        public static readonly RankComparer Instance = new();

        public int Compare(KeywordRule? x, KeywordRule? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            var byPriority = y.Priority.CompareTo(x.Priority);
            return byPriority != 0 ? byPriority : x.TriggerId.CompareTo(y.TriggerId);
        }
    }
}
