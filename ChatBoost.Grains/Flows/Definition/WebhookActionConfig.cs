using System.Text.Json;

namespace ChatBoost.Grains.Flows.Definition;

/// <summary>
/// <c>webhook_action</c>: calls <see cref="Url"/>. On a 2xx answer stores the body in <see cref="StoreResponseIn"/>
/// (when set) and goes to <see cref="Next"/>; on any failure goes to <see cref="ErrorPath"/>, or fails the execution
/// when there is none. <see cref="Url"/>, header values and <see cref="Body"/>'s strings may hold placeholders.
/// </summary>
public sealed record WebhookActionConfig(
    string Url,
    string Method,
    IReadOnlyDictionary<string, string> Headers,
    JsonElement? Body,
    int TimeoutSeconds,
    PlaceholderRef? StoreResponseIn,
    long? Next,
    long? ErrorPath) : NodeConfig
{
    public override string NodeType => FlowNodeTypes.WebhookAction;

    public override IReadOnlyList<NodeBranch> Branches => [new("next", Next), new("error_path", ErrorPath)];
}
