namespace ChatBoost.Grains.Triggers.Matching;

/// <summary>
/// The checks a bot's own opt keywords pass (a null list is the defaults): at least one opt-out keyword (a contact must
/// always be able to stop), at most <see cref="MaxKeywords"/> per list, each holding text of at most
/// <see cref="MaxKeywordLength"/> characters after normalisation, no repeats (ignoring case), and no word in both lists.
/// Pure; a problem names the field (<c>opt_out_keywords[2]</c>).
/// </summary>
public static class OptKeywordRules
{
    public const int MaxKeywords = 50;
    public const int MaxKeywordLength = 50;

    public static IReadOnlyList<TriggerProblem> Check(IReadOnlyList<string?>? optOut, IReadOnlyList<string?>? optIn)
    {
        var problems = new List<TriggerProblem>();
        CheckList("opt_out_keywords", optOut, minimum: 1, problems);
        CheckList("opt_in_keywords", optIn, minimum: 0, problems);
        if (problems.Count == 0)
        {
            var outs = new HashSet<string>((optOut ?? OptKeywords.DefaultOptOut).Select(k => KeywordText.Normalize(k!)), StringComparer.OrdinalIgnoreCase);
            var both = (optIn ?? OptKeywords.DefaultOptIn).Select((k, i) => (Keyword: KeywordText.Normalize(k!), Index: i)).FirstOrDefault(k => outs.Contains(k.Keyword));
            if (both.Keyword is not null)
            {
                problems.Add(new(optIn is null ? "opt_out_keywords" : $"opt_in_keywords[{both.Index}]",
                    $"'{both.Keyword}' cannot be an opt-out and an opt-in keyword at once."));
            }
        }

        return problems;
    }

    private static void CheckList(string field, IReadOnlyList<string?>? keywords, int minimum, List<TriggerProblem> problems)
    {
        if (keywords is null)
        {
            return;
        }

        if (keywords.Count < minimum || keywords.Count > MaxKeywords)
        {
            problems.Add(new(field, $"{field} holds {minimum} to {MaxKeywords} keywords (null: the defaults)."));
            return;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < keywords.Count; i++)
        {
            var normalized = keywords[i] is { } k ? KeywordText.Normalize(k) : "";
            if (normalized.Length is 0 or > MaxKeywordLength)
            {
                problems.Add(new($"{field}[{i}]", $"A keyword holds text (not only spaces), at most {MaxKeywordLength} characters."));
            }
            else if (!seen.Add(normalized))
            {
                problems.Add(new($"{field}[{i}]", $"'{normalized}' is listed twice."));
            }
        }
    }
}
