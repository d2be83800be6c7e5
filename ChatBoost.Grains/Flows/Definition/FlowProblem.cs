using System.Text.Json.Serialization;

namespace ChatBoost.Grains.Flows.Definition;

/// <summary>
/// One validation finding. <paramref name="Field"/> is a path such as <c>config.content.buttons[2].title</c>,
/// <c>type</c>, <c>name</c>, <c>id</c> or <c>entry_node_id</c>; <paramref name="Code"/> is a stable snake_case
/// code from <see cref="FlowProblemCodes"/>.
/// </summary>
public sealed record FlowProblem(string Severity, long? NodeId, string Field, string Code, string Message)
{
    public const string Error = "error";
    public const string Warning = "warning";

    [JsonIgnore]
    public bool IsError => Severity == Error;
}
