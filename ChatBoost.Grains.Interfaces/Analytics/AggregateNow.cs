namespace ChatBoost.Grains.Interfaces.Analytics;

/// <summary>
/// <c>aggregate-now</c> over any number of bots: one grain call per <see cref="AggregateNowCommand.MaxBotsPerCall"/>
/// bots (each a single pass over the day's raw rows, so each call stays well inside the grain-call timeout however
/// many bots the caller has), the answers merged into one. A refusal (the day out of range) stops at the first chunk;
/// the chunks done before a failure stay done (aggregation is idempotent, so repeating the request is safe).
/// </summary>
public static class AggregateNow
{
    public static async Task<CommandResult<AggregateNowResult>> RunChunkedAsync(
        IAnalyticsAggregationGrain grain, AggregateNowCommand command, int chunkSize = AggregateNowCommand.MaxBotsPerCall,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grain);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, AggregateNowCommand.MaxBotsPerCall);
        var chunks = command.BotIds.Distinct().Order().Chunk(chunkSize).ToList();
        if (chunks.Count == 0)
        {
            return await grain.AggregateNowAsync(command).ConfigureAwait(false);
        }

        var aggregated = new List<long>();
        var skipped = new List<long>();
        long rows = 0;
        long durationMs = 0;
        foreach (var chunk in chunks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await grain.AggregateNowAsync(command with { BotIds = chunk }).ConfigureAwait(false);
            if (!result.IsOk)
            {
                return result;
            }

            var part = result.Value!;
            aggregated.AddRange(part.AggregatedBots);
            skipped.AddRange(part.SkippedBots);
            rows += part.RowsChanged;
            durationMs += part.DurationMs;
        }

        return CommandResult.Ok(new AggregateNowResult(command.Date, command.ForceRecalculate, aggregated, skipped, rows, durationMs, chunks.Count));
    }
}
