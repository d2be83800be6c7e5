namespace ChatBoost.Grains.Triggers.Runs;

/// <summary>
/// A run's progress from its recipients' outcomes and its executions' messages, pure. <see cref="Processed"/>: contacts
/// decided; <see cref="Started"/>: executions started; <see cref="Skipped"/>: by reason (<c>opted_out</c>,
/// <c>outside_window</c>, <c>active_execution</c>, <c>no_contact</c>, every reason present with 0 when none);
/// <see cref="Sent"/>: the executions' messages Meta accepted; <see cref="Failed"/>: contacts whose start failed plus
/// messages Meta refused.
/// </summary>
public sealed record RunProgress(long Processed, long Started, IReadOnlyDictionary<string, long> Skipped, long Sent, long Failed)
{
    public static readonly IReadOnlyList<string> SkipReasons = ["opted_out", "outside_window", "active_execution", "no_contact"];

    public static RunProgress From(IEnumerable<(string Outcome, long Count)> outcomes, long sentMessages, long failedMessages)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var skipped = SkipReasons.ToDictionary(r => r, _ => 0L, StringComparer.Ordinal);
        long processed = 0, started = 0, failed = 0;
        foreach (var (outcome, count) in outcomes)
        {
            processed += count;
            if (outcome == RecipientOutcomes.Started)
            {
                started += count;
            }
            else if (outcome.StartsWith(RecipientOutcomes.SkippedPrefix, StringComparison.Ordinal))
            {
                var reason = outcome[RecipientOutcomes.SkippedPrefix.Length..];
                skipped[reason] = skipped.GetValueOrDefault(reason) + count;
            }
            else
            {
                failed += count;
            }
        }

        return new RunProgress(processed, started, skipped, sentMessages, failed + failedMessages);
    }
}
