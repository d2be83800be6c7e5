using System.Globalization;
using ChatBoost.Grains.Triggers.Matching;

namespace ChatBoost.Bench.Keywords;

/// <summary>
/// A deterministic bot and its customers: N keyword triggers — 70 % exact (one to three keywords each), 12 % contains,
/// 10 % starts_with, 6 % ends_with, 2 % regex; a third case-sensitive; priorities 0–9 — and messages of 1 to 30 words,
/// <see cref="HitShare"/> of them built around one of the triggers' keywords, the rest words no trigger has.
/// </summary>
internal sealed class Corpus(int seed)
{
    private static readonly string[] Filler =
    [
        "hello", "please", "order", "status", "thanks", "when", "does", "the", "shop", "open", "my", "parcel", "is", "late",
        "can", "you", "help", "with", "price", "of", "shipping", "to", "berlin", "today", "tomorrow", "invoice", "number",
    ];

    private readonly Random _random = new(seed);

    public double HitShare => 0.4;

    public IReadOnlyList<KeywordRule> Rules(int count)
    {
        var rules = new List<KeywordRule>(count);
        for (var i = 0; i < count; i++)
        {
            var share = (double)i / Math.Max(1, count);
            var type = share switch
            {
                < 0.70 => MatchTypes.Exact,
                < 0.82 => MatchTypes.Contains,
                < 0.92 => MatchTypes.StartsWith,
                < 0.98 => MatchTypes.EndsWith,
                _ => MatchTypes.Regex,
            };
            var keywords = type == MatchTypes.Regex
                ? [$"^order\\s+#?k{i}\\d{{2,6}}$"]
                : Enumerable.Range(0, 1 + _random.Next(3)).Select(k => Keyword(i, k)).ToArray();
            rules.Add(KeywordRule.Create(i + 1, 10_000 + i, _random.Next(10), type, caseSensitive: _random.Next(3) == 0, interruptsWaiting: false, keywords));
        }

        return rules;
    }

    public IReadOnlyList<string> Messages(IReadOnlyList<KeywordRule> rules, int count)
    {
        var messages = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var words = Enumerable.Range(0, 1 + _random.Next(30)).Select(_ => Filler[_random.Next(Filler.Length)]).ToList();
            if (rules.Count > 0 && _random.NextDouble() < HitShare)
            {
                var rule = rules[_random.Next(rules.Count)];
                var keyword = rule.MatchType == MatchTypes.Regex
                    ? $"order #k{rule.TriggerId - 1}{_random.Next(100, 100_000).ToString(CultureInfo.InvariantCulture)}"
                    : rule.Keywords[_random.Next(rule.Keywords.Count)];
                switch (rule.MatchType)
                {
                    case MatchTypes.Exact or MatchTypes.Regex:
                        words = [keyword];
                        break;
                    case MatchTypes.StartsWith:
                        words.Insert(0, keyword);
                        break;
                    case MatchTypes.EndsWith:
                        words.Add(keyword);
                        break;
                    default:
                        words.Insert(_random.Next(words.Count + 1), keyword);
                        break;
                }
            }

            messages.Add(string.Join(' ', words));
        }

        return messages;
    }

    public static string Describe(IReadOnlyList<KeywordRule> rules) =>
        string.Join(", ", rules.GroupBy(r => r.MatchType).Select(g => $"{g.Count()} {g.Key}"));

    private static string Keyword(int trigger, int k) => string.Create(CultureInfo.InvariantCulture, $"promo{trigger}x{k}");
}
