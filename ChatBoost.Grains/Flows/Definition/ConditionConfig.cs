using System.Text.Json;

namespace ChatBoost.Grains.Flows.Definition;

/// <summary>
/// <c>condition</c>: compares <see cref="Variable"/> with <see cref="Value"/> using <see cref="Operator"/>
/// (<see cref="ConditionOperators"/>), then goes to <see cref="TruePath"/> or <see cref="FalsePath"/>.
/// <see cref="Value"/> is null for <c>is_set</c>/<c>is_not_set</c>, an array for <c>in</c>, otherwise a scalar.
/// </summary>
public sealed record ConditionConfig(
    PlaceholderRef Variable,
    string Operator,
    JsonElement? Value,
    bool CaseSensitive,
    long? TruePath,
    long? FalsePath) : NodeConfig
{
    public override string NodeType => FlowNodeTypes.Condition;

    public override IReadOnlyList<NodeBranch> Branches => [new("true_path", TruePath), new("false_path", FalsePath)];
}
