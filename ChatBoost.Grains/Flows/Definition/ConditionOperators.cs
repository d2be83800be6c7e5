namespace ChatBoost.Grains.Flows.Definition;

/// <summary>Operators of a <c>condition</c> node. Their semantics are defined in docs/flows.md.</summary>
public static class ConditionOperators
{
    public const string Equal = "==";
    public const string NotEqual = "!=";
    public const string GreaterThan = ">";
    public const string GreaterThanOrEqual = ">=";
    public const string LessThan = "<";
    public const string LessThanOrEqual = "<=";
    public const string Contains = "contains";
    public const string StartsWith = "starts_with";
    public const string EndsWith = "ends_with";
    public const string IsSet = "is_set";
    public const string IsNotSet = "is_not_set";
    public const string In = "in";

    public static readonly IReadOnlyList<string> All =
    [
        Equal, NotEqual, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual,
        Contains, StartsWith, EndsWith, IsSet, IsNotSet, In,
    ];

    /// <summary>Operators that compare numbers: the value must be a number (or a string with placeholders).</summary>
    public static bool IsOrdering(string op) => op is GreaterThan or GreaterThanOrEqual or LessThan or LessThanOrEqual;

    /// <summary>Operators that take no <c>value</c>.</summary>
    public static bool IsPresenceTest(string op) => op is IsSet or IsNotSet;

    /// <summary>Operators whose value is a string matched against the variable's text.</summary>
    public static bool IsTextMatch(string op) => op is Contains or StartsWith or EndsWith;
}
