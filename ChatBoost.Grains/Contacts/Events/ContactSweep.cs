using ChatBoost.Telemetry;
using ChatBoost.Grains.Interfaces.Contacts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>What one sweep of one shard found (and poked).</summary>
public sealed record SweepReport(int Shard, IReadOnlyList<StrandedContact> Found, long Watermark)
{
    public int Count(string reason) => Found.Count(f => f.Reason == reason);
}

/// <summary>
/// One sweep of one shard: finds contacts whose durable work waits on an activation that is gone — inbound messages past
/// their cursor, executions running without an update, waits past their wake time — and pokes each contact's grain
/// (<see cref="IContactGrain.PokeAsync"/>: "look at your durable work"), oldest first, bounded per kind. A poke is
/// one-way and idempotent, so a contact found twice, or by two sweeps, costs only a wasted look.
/// </summary>
public sealed class ContactSweep(
    ContactSweepQueries queries,
    IGrainFactory grains,
    IOptions<ContactEventOptions> options,
    TimeProvider time,
    ChatBoostMetrics metrics,
    ILogger<ContactSweep> logger)
{
    private readonly ContactEventOptions _options = options.Value;

    /// <summary>What the shard holds now, without poking or moving the watermark.</summary>
    public async Task<SweepReport> FindAsync(int shard, CancellationToken cancellationToken)
    {
        var watermark = await queries.ReadWatermarkAsync(shard, cancellationToken).ConfigureAwait(false);
        var (scanned, databaseNow) = await queries.ScanInboundAsync(shard, watermark, _options.SweepScanLimit, cancellationToken).ConfigureAwait(false);
        var inbound = InboundLagScan.Evaluate(scanned, watermark, databaseNow, _options.InboundLagGrace, _options.WatermarkSettle, _options.SweepLimit);

        var now = time.GetUtcNow();
        var executions = await queries.FindStrandedExecutionsAsync(
            shard, now - _options.StaleRunningAfter, now - _options.OverdueWakeGrace, _options.SweepLimit, cancellationToken).ConfigureAwait(false);
        return new SweepReport(shard, [.. inbound.Lagging, .. executions], inbound.Watermark);
    }

    /// <summary>Finds, pokes every contact found (each once), then stores the new watermark.</summary>
    public async Task<SweepReport> SweepAsync(int shard, CancellationToken cancellationToken)
    {
        var report = await FindAsync(shard, cancellationToken).ConfigureAwait(false);
        foreach (var contact in report.Found.DistinctBy(f => (f.BotId, f.ContactWaId)))
        {
            await grains.GetGrain<IContactGrain>(contact.BotId, contact.ContactWaId).PokeAsync().ConfigureAwait(false);
        }

        foreach (var group in report.Found.GroupBy(f => f.Reason))
        {
            metrics.SweeperFoundContacts(group.Key, group.Count()); // chatboost.sweeper.found, by reason
        }

        if (report.Found.Count > 0)
        {
            logger.LogInformation(
                "Sweeper shard {Shard}: poked {Lagging} contacts with unconsumed inbound messages, {StaleRunning} with stale running executions, {OverdueWake} with overdue waits",
                shard, report.Count(InboundLagScan.Reason), report.Count(ContactSweepQueries.StaleRunningReason), report.Count(ContactSweepQueries.OverdueWakeReason));
        }

        await queries.SaveWatermarkAsync(shard, report.Watermark, cancellationToken).ConfigureAwait(false);
        return report;
    }
}
