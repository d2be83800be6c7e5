using ChatBoost.Api.Flows;
using ChatBoost.Grains.Flows.Definition;

namespace ChatBoost.UnitTests.Flows;

/// <summary>The OpenAPI node reference lists exactly what the validator accepts.</summary>
public class NodeSchemaDocumentationTests
{
    [Fact]
    public void NodeTypesMatch() => Assert.Equal(FlowNodeTypes.All, NodeSchemaDocumentation.NodeTypes);

    [Fact]
    public void ConditionOperatorsMatch() => Assert.Equal(ConditionOperators.All.Order(), NodeSchemaDocumentation.ConditionOperators.Order());

    [Fact]
    public void MessageTypesMatch()
    {
        Assert.Equal(MessageTypes.All, NodeSchemaDocumentation.MessageTypes);
        Assert.Equal(MediaTypes.All, NodeSchemaDocumentation.MediaTypes);
    }

    [Fact]
    public void WaitUnitsMatch() => Assert.Equal(WaitUnits.All.Order(), NodeSchemaDocumentation.WaitUnits.Order());

    [Fact]
    public void TheDescriptionNamesEveryOperatorAndType()
    {
        foreach (var name in NodeSchemaDocumentation.ConditionOperators.Concat(NodeSchemaDocumentation.NodeTypes).Concat(NodeSchemaDocumentation.MediaTypes))
        {
            Assert.Contains(name, NodeSchemaDocumentation.ConfigDescription, StringComparison.Ordinal);
        }
    }
}
