using ChatBoost.Grains.Interfaces.Bots;

namespace ChatBoost.Grains.Interfaces.Flows;

/// <summary>One validation finding (see docs/flows.md, "Validation"): severity, node, field path, stable code, message.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.flows.ProblemView")]
public sealed record ProblemView(
    [property: Id(0)] string Severity,
    [property: Id(1)] long? NodeId,
    [property: Id(2)] string Field,
    [property: Id(3)] string Code,
    [property: Id(4)] string Message)
{
    public const string Error = "error";
    public const string Warning = "warning";
}

/// <summary>
/// The outcome of a command that validates a flow: like <see cref="CommandResult{T}"/>, plus every problem
/// found. <see cref="CommandStatus.Invalid"/> with problems is a 422 listing them; warnings may come with success.
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.flows.ValidatedResult`1")]
public sealed record ValidatedResult<T>(
    [property: Id(0)] CommandStatus Status,
    [property: Id(1)] T? Value,
    [property: Id(2)] string? Detail,
    [property: Id(3)] IReadOnlyList<ProblemView> Problems)
{
    public bool IsOk => Status == CommandStatus.Ok;
}

public static class ValidatedResult
{
    public static ValidatedResult<T> Ok<T>(T value, IReadOnlyList<ProblemView>? warnings = null) => new(CommandStatus.Ok, value, null, warnings ?? []);

    public static ValidatedResult<T> Fail<T>(CommandStatus status, string detail, IReadOnlyList<ProblemView>? problems = null) =>
        new(status, default, detail, problems ?? []);
}

/// <summary>A node to save: type, optional display name, config as JSON text.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.flows.NodeInput")]
public sealed record NodeInput(
    [property: Id(0)] string Type,
    [property: Id(1)] string? Name,
    [property: Id(2)] string ConfigJson);

/// <summary>A node of a template graph: <see cref="Key"/> is a local id that branch fields of other nodes name.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.flows.TemplateNode")]
public sealed record TemplateNode(
    [property: Id(0)] long Key,
    [property: Id(1)] string Type,
    [property: Id(2)] string? Name,
    [property: Id(3)] string ConfigJson);

/// <summary>A flow to create in a bot; <see cref="Nodes"/> (with local keys) when instantiated from a template.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.flows.CreateFlowCommand")]
public sealed record CreateFlowCommand(
    [property: Id(0)] long ActorUserId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Description,
    [property: Id(3)] IReadOnlyList<TemplateNode>? Nodes = null,
    [property: Id(4)] long? EntryNodeKey = null,
    [property: Id(5)] long? TemplateId = null);

/// <summary>An update: null members are unchanged; <see cref="EntryNodeId"/> with a null value resets to the default entry.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.flows.UpdateFlowCommand")]
public sealed record UpdateFlowCommand(
    [property: Id(0)] long ActorUserId,
    [property: Id(1)] string? Name,
    [property: Id(2)] FieldChange? Description,
    [property: Id(3)] EntryNodeChange? EntryNodeId);

[GenerateSerializer, Immutable, Alias("chatboost.flows.EntryNodeChange")]
public sealed record EntryNodeChange([property: Id(0)] long? NodeId);

[GenerateSerializer, Immutable, Alias("chatboost.flows.NodeView")]
public sealed record NodeView(
    [property: Id(0)] long Id,
    [property: Id(1)] long FlowId,
    [property: Id(2)] string Type,
    [property: Id(3)] string? Name,
    [property: Id(4)] string ConfigJson,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset? UpdatedAt);

/// <summary>A flow with its draft. <see cref="EntryNodeId"/> is what was set (null: the default, the first node created).</summary>
[GenerateSerializer, Immutable, Alias("chatboost.flows.FlowView")]
public sealed record FlowView(
    [property: Id(0)] long Id,
    [property: Id(1)] long BotId,
    [property: Id(2)] long OrganizationId,
    [property: Id(3)] string Name,
    [property: Id(4)] string? Description,
    [property: Id(5)] long? EntryNodeId,
    [property: Id(6)] long? ResolvedEntryNodeId,
    [property: Id(7)] int NodeCount,
    [property: Id(8)] int? LatestVersion,
    [property: Id(9)] long CreatedBy,
    [property: Id(10)] DateTimeOffset CreatedAt,
    [property: Id(11)] DateTimeOffset? UpdatedAt,
    [property: Id(12)] IReadOnlyList<NodeView>? Nodes);

[GenerateSerializer, Immutable, Alias("chatboost.flows.PublishedVersion")]
public sealed record PublishedVersion(
    [property: Id(0)] long FlowId,
    [property: Id(1)] int Version,
    [property: Id(2)] DateTimeOffset PublishedAt,
    [property: Id(3)] long PublishedBy);

/// <summary>A published version; <see cref="DefinitionJson"/> is null in lists.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.flows.FlowVersionView")]
public sealed record FlowVersionView(
    [property: Id(0)] long FlowId,
    [property: Id(1)] int Version,
    [property: Id(2)] DateTimeOffset PublishedAt,
    [property: Id(3)] long PublishedBy,
    [property: Id(4)] int NodeCount,
    [property: Id(5)] string? DefinitionJson);

[GenerateSerializer, Immutable, Alias("chatboost.flows.CreateTemplateCommand")]
public sealed record CreateTemplateCommand(
    [property: Id(0)] long ActorUserId,
    [property: Id(1)] long OrganizationId,
    [property: Id(2)] string Name,
    [property: Id(3)] string? Description,
    [property: Id(4)] long? EntryNodeKey,
    [property: Id(5)] IReadOnlyList<TemplateNode> Nodes);

/// <summary>A template; <see cref="DefinitionJson"/> is <c>{"entry_node_id", "nodes": [{id, type, name, config}]}</c> with local ids.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.flows.TemplateView")]
public sealed record TemplateView(
    [property: Id(0)] long Id,
    [property: Id(1)] long OrganizationId,
    [property: Id(2)] string Name,
    [property: Id(3)] string? Description,
    [property: Id(4)] int NodeCount,
    [property: Id(5)] string DefinitionJson,
    [property: Id(6)] long CreatedBy,
    [property: Id(7)] DateTimeOffset CreatedAt);
