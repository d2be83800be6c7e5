namespace ChatBoost.Grains.Flows.Definition;

/// <summary>The five node types of the seed. Names are the wire values of a node's <c>type</c>.</summary>
public static class FlowNodeTypes
{
    public const string SendMessage = "send_message";
    public const string Wait = "wait";
    public const string Condition = "condition";
    public const string WebhookAction = "webhook_action";
    public const string SetAttribute = "set_attribute";

    public static readonly IReadOnlyList<string> All = [SendMessage, Wait, Condition, WebhookAction, SetAttribute];

    public static bool IsKnown(string? type) => type is not null && All.Contains(type, StringComparer.Ordinal);
}
