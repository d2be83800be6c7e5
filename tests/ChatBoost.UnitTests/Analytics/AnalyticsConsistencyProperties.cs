using ChatBoost.Grains.Analytics;
using ChatBoost.Grains.Interfaces.Analytics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ChatBoost.UnitTests.Analytics;

/// <summary>
/// For random message, status and execution histories across a DST change: the overview's totals equal the sum of the
/// daily trend buckets, the sum of the hourly delivery buckets, and a direct count over the raw rows.
/// </summary>
public class AnalyticsConsistencyProperties
{
    private static readonly DateTimeOffset Base = new(2026, 3, 7, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Zones = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney"];
    private static readonly string[] Statuses = ["queued", "sending", "sent", "delivered", "read", "failed", "in_doubt"];
    private static readonly string[] Types = ["text", "image", "template", "interactive"];

    public sealed record History(string Zone, IReadOnlyList<MessageFact> Messages, IReadOnlyList<ContactFact> Contacts, IReadOnlyList<ExecutionFact> Executions);

    private static Gen<History> Histories()
    {
        var message =
            from id in Gen.Choose(1, int.MaxValue)
            from bot in Gen.Choose(1, 2)
            from contact in Gen.Choose(0, 5)
            from minute in Gen.Choose(0, (4 * 24 * 60) - 1)
            from millis in Gen.Choose(0, 59_999)
            from inbound in Gen.Elements(true, false)
            from type in Gen.Elements(Types)
            from status in Gen.Elements(Statuses)
            from sentAt in Gen.Elements(true, false)
            let at = Base.AddMinutes(minute).AddMilliseconds(millis)
            select new MessageFact(id, bot, 10 * bot, $"c{contact}", inbound, type, inbound ? "received" : status, at,
                sentAt ? at : null, Base.AddMinutes((contact * 997) % (4 * 24 * 60)));
        var execution =
            from bot in Gen.Choose(1, 2)
            from minute in Gen.Choose(0, (4 * 24 * 60) - 1)
            from status in Gen.Elements("running", "waiting_for_reply", "completed", "failed", "cancelled")
            from trigger in Gen.Elements("api", "inbound")
            select new ExecutionFact(bot, 10 * bot, Base.AddMinutes(minute), status, trigger);
        var contacts = Enumerable.Range(1, 2)
            .SelectMany(bot => Enumerable.Range(0, 6).Select(c => new ContactFact(bot, 10 * bot, $"c{c}", Base.AddMinutes((c * 997) % (4 * 24 * 60)))))
            .ToList();
        return
            from zone in Gen.Elements(Zones)
            from messageCount in Gen.Choose(0, 80)
            from messages in Gen.ListOf(message, messageCount)
            from executionCount in Gen.Choose(0, 20)
            from executions in Gen.ListOf(execution, executionCount)
            select new History(zone, messages.DistinctBy(m => m.Id).ToList(), contacts, executions.ToList());
    }

    [Property(MaxTest = 300)]
    public Property Overview_equals_the_sum_of_trends_and_of_delivery_buckets_and_the_raw_count() =>
        Prop.ForAll(Arb.From(Histories()), history =>
        {
            var zone = AnalyticsPeriods.FindZone(history.Zone)!;
            var days = AnalyticsPeriods.Covering(Base.AddHours(12), Base.AddDays(2).AddHours(12), StatsGranularity.Daily, zone, history.Zone);
            var hours = AnalyticsPeriods.Covering(days.Start, days.End.AddTicks(-1), StatsGranularity.Hourly, zone, history.Zone);
            var fold = StatsDefinitions.Fold(history.Messages, history.Contacts, history.Executions, days.Start, days.End);

            var daily = Slices(fold, days, zone);
            var overview = AnalyticsReportBuilder.Overview(new ResolvedPeriod("7days", days, days), null, daily, null);
            var trends = AnalyticsReportBuilder.Series(days, zone, null, daily);
            var delivery = AnalyticsReportBuilder.Series(hours, zone, null, Slices(fold, hours, zone));

            var raw = history.Messages.Where(m => m.CreatedAt >= days.Start && m.CreatedAt < days.End).ToList();
            var outbound = raw.Where(m => !m.Inbound).ToList();
            var rawActive = raw.Select(m => (m.BotId, m.ContactWaId)).Distinct().Count();
            var rawDelivered = outbound.Count(m => m.Status is "delivered" or "read");
            var rawSent = outbound.Count(m => m.Status is "sent" or "delivered" or "read" || (m.Status == "failed" && m.SentAt is not null));
            var rawStarted = history.Executions.Count(e => e.StartedAt >= days.Start && e.StartedAt < days.End);

            return overview.TotalMessages == raw.Count
                && trends.Buckets.Sum(b => b.TotalMessages) == raw.Count
                && delivery.Buckets.Sum(b => b.TotalMessages) == raw.Count
                && overview.ActiveContacts == rawActive
                && trends.Totals.ActiveContacts == rawActive
                && overview.TopMessageTypes.Values.Sum() == raw.Count
                && trends.Buckets.Sum(b => b.Delivered) == rawDelivered
                && delivery.Buckets.Sum(b => b.Delivered) == rawDelivered
                && trends.Totals.Sent == rawSent
                && delivery.Buckets.Sum(b => b.Sent) == rawSent
                && overview.DeliveryRate == AnalyticsReportBuilder.Rate(rawDelivered, rawSent)
                && trends.Buckets.Sum(b => b.FlowsStarted) == rawStarted
                && trends.Buckets.Sum(b => b.Responses) == delivery.Buckets.Sum(b => b.Responses)
                && trends.Buckets.All(b => b.ActiveContacts <= overview.ActiveContacts);
        });

    private static List<BotStatsSlice> Slices(StatsFoldResult fold, StatsRange range, TimeZoneInfo zone) =>
        [.. new long[] { 1, 2 }.Select(bot => SliceAssembler.Assemble(
            bot, range, zone,
            fold.Hours.Where(h => h.BotId == bot).Select(h => new RollupRow(h.Hour, h.Values, range.End)),
            SliceAssembler.Count(fold.Activity.Where(a => a.BotId == bot), range, zone)))];
}
