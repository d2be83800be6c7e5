using System.Globalization;
using System.Text;
using ChatBoost.Grains.Interfaces.Analytics;

namespace ChatBoost.Api.Analytics;

/// <summary>
/// The reports as CSV (RFC 4180, UTF-8, <c>format=csv</c>) for BI tools: a series is one row per bucket (its total as the
/// last row, <c>bucket_start</c> = <c>total</c>); a single report is <c>metric,value</c> rows. A cell that a spreadsheet
/// would run as a formula is prefixed with an apostrophe.
/// </summary>
public static class AnalyticsCsv
{
    private static readonly string[] SummaryColumns =
    [
        "bucket_start", "bucket_end", "total_messages", "inbound_messages", "outbound_messages", "active_contacts", "new_contacts",
        "sent", "delivered", "read", "failed", "in_doubt", "delivery_rate", "read_rate", "average_response_time", "responses",
        "flows_started", "flows_completed", "flows_failed", "flow_completion_rate", "flows_triggered",
    ];

    public static IResult File(string name, string csv) =>
        Results.File(Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8", $"{name}.csv");

    public static string Series(IEnumerable<StatsSummary> buckets, StatsSummary total)
    {
        var csv = new StringBuilder();
        Row(csv, SummaryColumns);
        foreach (var bucket in buckets)
        {
            Row(csv, Cells(bucket, Text(bucket.Start), Text(bucket.End)));
        }

        Row(csv, Cells(total, "total", ""));
        return csv.ToString();
    }

    public static string Metrics(IEnumerable<(string Metric, object? Value)> metrics)
    {
        var csv = new StringBuilder();
        Row(csv, ["metric", "value"]);
        foreach (var (metric, value) in metrics)
        {
            Row(csv, [metric, Text(value)]);
        }

        return csv.ToString();
    }

    public static string Overview(OverviewReport r) => Metrics(
    [
        ("period", r.Period), ("bot_id", r.BotId), ("start_date", r.StartDate), ("end_date", r.EndDate), ("tz", r.Tz),
        ("total_messages", r.TotalMessages), ("active_contacts", r.ActiveContacts), ("delivery_rate", r.DeliveryRate),
        ("average_response_time", r.AverageResponseTime), ("flow_completion_rate", r.FlowCompletionRate),
        ("messages_growth", r.Trends.MessagesGrowth), ("contacts_growth", r.Trends.ContactsGrowth),
        ("delivery_rate_change", r.Trends.DeliveryRateChange),
        .. r.TopMessageTypes.Select(t => ($"messages.{t.Key}", (object?)t.Value)),
    ]);

    public static string ActiveContacts(ActiveContactsReport r) => Metrics(
    [
        ("period", r.Period), ("bot_id", r.BotId), ("start_date", r.StartDate), ("end_date", r.EndDate), ("tz", r.Tz),
        ("active_contacts", r.ActiveContacts), ("new_contacts", r.NewContacts), ("returning_contacts", r.ReturningContacts),
        ("previous_active_contacts", r.PreviousActiveContacts), ("contacts_growth", r.ContactsGrowth),
    ]);

    public static string Distribution(MessageDistributionReport r)
    {
        var csv = new StringBuilder();
        Row(csv, ["message_type", "inbound", "outbound", "total", "percentage"]);
        foreach (var (type, total) in r.ByType)
        {
            Row(csv, [type, Text(r.InboundByType.GetValueOrDefault(type)), Text(r.OutboundByType.GetValueOrDefault(type)), Text(total), Text(r.Percentages.GetValueOrDefault(type))]);
        }

        return csv.ToString();
    }

    public static string Funnel(FlowFunnelReport r)
    {
        var csv = new StringBuilder();
        Row(csv, ["node_id", "node_type", "entered", "left", "waited", "failed", "dropped_off", "still_there", "continue_rate"]);
        foreach (var n in r.Nodes)
        {
            Row(csv, [Text(n.NodeId), n.NodeType ?? "", Text(n.Entered), Text(n.Left), Text(n.Waited), Text(n.Failed), Text(n.DroppedOff), Text(n.StillThere), Text(n.ContinueRate)]);
        }

        return csv.ToString();
    }

    public static string Health(AnalyticsHealthReport r) => Metrics(
    [
        ("status", r.Status), ("checked_at", r.CheckedAt), ("aggregation_lag_seconds", r.AggregationLagSeconds),
        ("hourly_message_stats_rows", r.RowCounts.HourlyMessageStats), ("daily_message_stats_rows", r.RowCounts.DailyMessageStats),
        ("contact_activity_hourly_rows", r.RowCounts.ContactActivityHourly), ("last_row_computed_at", r.LastRowComputedAt),
        ("cache_entries", r.Cache?.Entries), ("cache_hits", r.Cache?.Hits), ("cache_misses", r.Cache?.Misses),
        .. r.LastRuns.Select(run => ($"last_run.{run.Kind}.finished_at", (object?)run.FinishedAt)),
    ]);

    private static string[] Cells(StatsSummary s, string start, string end) =>
    [
        start, end, Text(s.TotalMessages), Text(s.InboundMessages), Text(s.OutboundMessages), Text(s.ActiveContacts), Text(s.NewContacts),
        Text(s.Sent), Text(s.Delivered), Text(s.Read), Text(s.Failed), Text(s.InDoubt), Text(s.DeliveryRate), Text(s.ReadRate),
        Text(s.AverageResponseTime), Text(s.Responses), Text(s.FlowsStarted), Text(s.FlowsCompleted), Text(s.FlowsFailed),
        Text(s.FlowCompletionRate), Text(s.FlowsTriggered),
    ];

    private static string Text(object? value) => value switch
    {
        null => "",
        DateTimeOffset at => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static void Row(StringBuilder csv, IEnumerable<string> cells)
    {
        csv.AppendJoin(',', cells.Select(Escape));
        csv.Append("\r\n");
    }

    private static string Escape(string cell)
    {
        if (cell.Length > 0 && cell[0] is '=' or '+' or '@' or '\t' or '\r' || (cell.Length > 1 && cell[0] == '-' && !char.IsAsciiDigit(cell[1])))
        {
            cell = "'" + cell;
        }

        return cell.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
    }
}
