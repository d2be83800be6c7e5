namespace ChatBoost.Grains.Flows.Definition;

/// <summary>The seed's contact attribute types, used by <c>set_attribute</c>'s <c>value_type</c>.</summary>
public static class AttributeValueTypes
{
    public const string String = "string";
    public const string Number = "number";
    public const string Boolean = "boolean";
    public const string Json = "json";

    public static readonly IReadOnlyList<string> All = [String, Number, Boolean, Json];
}
