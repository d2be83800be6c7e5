namespace ChatBoost.Grains.Flows.Definition;

/// <summary>Stable codes of <see cref="FlowProblem"/>. Documented in docs/flows.md; do not rename.</summary>
public static class FlowProblemCodes
{
    // Node shape.
    public const string UnknownNodeType = "unknown_node_type";
    public const string InvalidConfigJson = "invalid_config_json";
    public const string ConfigTooLarge = "config_too_large";

    // Config schema.
    public const string MissingField = "missing_field";
    public const string UnknownField = "unknown_field";
    public const string FieldNotAllowed = "field_not_allowed";
    public const string InvalidType = "invalid_type";
    public const string InvalidValue = "invalid_value";
    public const string EmptyValue = "empty_value";
    public const string TooLong = "too_long";
    public const string TooManyItems = "too_many_items";
    public const string DuplicateValue = "duplicate_value";
    public const string OutOfRange = "out_of_range";
    public const string InvalidUrl = "invalid_url";
    public const string InvalidVariable = "invalid_variable";
    public const string InvalidLiteral = "invalid_literal";
    public const string PlaceholderNotAllowed = "placeholder_not_allowed";

    // Placeholders.
    public const string PlaceholderUnclosed = "placeholder_unclosed";
    public const string PlaceholderEmpty = "placeholder_empty";
    public const string PlaceholderUnknownRoot = "placeholder_unknown_root";
    public const string PlaceholderUnknownField = "placeholder_unknown_field";
    public const string PlaceholderInvalidName = "placeholder_invalid_name";

    // References and graph.
    public const string UnknownReference = "unknown_reference";
    public const string DuplicateNodeId = "duplicate_node_id";
    public const string TooManyNodes = "too_many_nodes";
    public const string MissingEntryNode = "missing_entry_node";
    public const string UnknownEntryNode = "unknown_entry_node";
    public const string UnreachableNode = "unreachable_node";
    public const string CycleWithoutWait = "cycle_without_wait";
}
