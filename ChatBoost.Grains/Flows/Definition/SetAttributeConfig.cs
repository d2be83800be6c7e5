namespace ChatBoost.Grains.Flows.Definition;

/// <summary>
/// <c>set_attribute</c>: renders <see cref="AttributeValue"/>, converts it to <see cref="ValueType"/>
/// (<see cref="AttributeValueTypes"/>) and stores it in the contact attribute <see cref="AttributeKey"/>.
/// </summary>
public sealed record SetAttributeConfig(string AttributeKey, string AttributeValue, string ValueType, long? Next) : NodeConfig
{
    public override string NodeType => FlowNodeTypes.SetAttribute;

    public override IReadOnlyList<NodeBranch> Branches => [new("next", Next)];
}
