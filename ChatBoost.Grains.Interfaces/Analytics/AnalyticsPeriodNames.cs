namespace ChatBoost.Grains.Interfaces.Analytics;

/// <summary>The seed's period names (<c>period=</c>).</summary>
public static class AnalyticsPeriodNames
{
    public const string Today = "today";
    public const string Last24Hours = "24hours";
    public const string Last7Days = "7days";
    public const string Last30Days = "30days";
    public const string Last90Days = "90days";

    public static readonly IReadOnlyList<string> All = [Today, Last24Hours, Last7Days, Last30Days, Last90Days];
}
