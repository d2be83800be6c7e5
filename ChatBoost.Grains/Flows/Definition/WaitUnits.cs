namespace ChatBoost.Grains.Flows.Definition;

/// <summary>Time units of a <c>wait</c> node's <c>unit</c> and <c>timeout_unit</c>.</summary>
public static class WaitUnits
{
    public const string Seconds = "seconds";
    public const string Minutes = "minutes";
    public const string Hours = "hours";
    public const string Days = "days";

    public static readonly IReadOnlyList<string> All = [Seconds, Minutes, Hours, Days];

    /// <summary>The amount in seconds; a double, so huge amounts compare instead of overflowing.</summary>
    public static double ToSeconds(double amount, string unit) => amount * unit switch
    {
        Seconds => 1,
        Minutes => 60,
        Hours => 3600,
        Days => 86400,
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Unknown wait unit."),
    };

    public static TimeSpan ToTimeSpan(double amount, string unit) => TimeSpan.FromSeconds(ToSeconds(amount, unit));

    /// <summary>The <c>until</c> value of a wait that ends when the contact replies.</summary>
    public const string UntilReply = "reply";
}
