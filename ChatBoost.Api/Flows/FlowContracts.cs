using ChatBoost.Api.Bots;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChatBoost.Api.Http;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Flows;

namespace ChatBoost.Api.Flows;

public sealed class CreateFlowRequest : IRequestBody
{
    public long? BotId { get; init; }

    public string? Name { get; init; }

    public string? Description { get; init; }

    public void Validate(ValidationErrors errors)
    {
        FlowValidation.PositiveId("bot_id", BotId, errors, required: true);
        errors.Required("name", Name);
        BotValidation.NameAndDescription(Name, Description, errors);
    }
}

/// <summary><c>PUT /bots/flows/{flow_id}</c>: partial. <c>entry_node_id: null</c> resets the entry to the default (the first node created).</summary>
public sealed class UpdateFlowRequest : IRequestBody
{
    private readonly HashSet<string> _present = new(StringComparer.Ordinal);

    public string? Name { get; init; }

    public string? Description { get; init { field = value; _present.Add("description"); } }

    public long? EntryNodeId { get; init { field = value; _present.Add("entry_node_id"); } }

    public void Validate(ValidationErrors errors)
    {
        if (Name is null && _present.Count == 0)
        {
            errors.Add("$", "Send at least one of name, description, entry_node_id.");
        }

        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("name", "Must not be blank.");
        }

        BotValidation.NameAndDescription(Name, Description, errors);
        FlowValidation.PositiveId("entry_node_id", EntryNodeId, errors, required: false);
    }

    public UpdateFlowCommand ToCommand(long actorUserId) => new(
        actorUserId,
        Name?.Trim(),
        _present.Contains("description") ? new FieldChange(BotValidation.Blank(Description)) : null,
        _present.Contains("entry_node_id") ? new EntryNodeChange(EntryNodeId) : null);
}

/// <summary><c>POST /bots/nodes/</c>: a node of the flow <c>flow_id</c>. See docs/flows.md for every type's config.</summary>
public sealed class CreateNodeRequest : IRequestBody
{
    public long? FlowId { get; init; }

    public string? Type { get; init; }

    public string? Name { get; init; }

    public JsonElement Config { get; init; }

    public void Validate(ValidationErrors errors)
    {
        FlowValidation.PositiveId("flow_id", FlowId, errors, required: true);
        FlowValidation.Node(Type, Config, errors);
    }

    public NodeInput ToInput() => new(Type!, Name, Config.GetRawText());
}

/// <summary><c>PUT /bots/nodes/{node_id}</c>: replaces the node's type, name and config (a name left out is removed).</summary>
public sealed class UpdateNodeRequest : IRequestBody
{
    public string? Type { get; init; }

    public string? Name { get; init; }

    public JsonElement Config { get; init; }

    public void Validate(ValidationErrors errors) => FlowValidation.Node(Type, Config, errors);

    public NodeInput ToInput() => new(Type!, Name, Config.GetRawText());
}

/// <summary>
/// <c>POST /bots/templates/</c>: a reusable graph. Node <c>id</c>s are local keys (positive integers) that the
/// branch fields of the template's nodes name; <c>organization_id</c> defaults to the caller's personal organization.
/// </summary>
public sealed class CreateTemplateRequest : IRequestBody
{
    public long? OrganizationId { get; init; }

    public string? Name { get; init; }

    public string? Description { get; init; }

    public long? EntryNodeId { get; init; }

    public IReadOnlyList<TemplateNodeRequest>? Nodes { get; init; }

    public void Validate(ValidationErrors errors)
    {
        FlowValidation.PositiveId("organization_id", OrganizationId, errors, required: false);
        errors.Required("name", Name);
        BotValidation.NameAndDescription(Name, Description, errors);
        FlowValidation.PositiveId("entry_node_id", EntryNodeId, errors, required: false);
        if (Nodes is not { Count: > 0 })
        {
            errors.Add("nodes", "Send at least one node.");
            return;
        }

        for (var i = 0; i < Nodes.Count; i++)
        {
            if (Nodes[i] is not { } node)
            {
                errors.Add($"nodes[{i}]", "Must be a node object.");
                continue;
            }

            FlowValidation.PositiveId($"nodes[{i}].id", node.Id, errors, required: true);
            FlowValidation.Node(node.Type, node.Config, errors, $"nodes[{i}].");
        }
    }

    public CreateTemplateCommand ToCommand(long actorUserId, long organizationId) => new(
        actorUserId, organizationId, Name!.Trim(), BotValidation.Blank(Description), EntryNodeId,
        [.. Nodes!.Select(n => new TemplateNode(n.Id!.Value, n.Type!, n.Name, n.Config.GetRawText()))]);
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class TemplateNodeRequest
{
    public long? Id { get; init; }

    public string? Type { get; init; }

    public string? Name { get; init; }

    public JsonElement Config { get; init; }
}

/// <summary><c>POST /bots/templates/{template_id}/instantiate</c>: a new flow in <c>bot_id</c> (of the template's organization).</summary>
public sealed class InstantiateTemplateRequest : IRequestBody
{
    public long? BotId { get; init; }

    public string? Name { get; init; }

    public void Validate(ValidationErrors errors)
    {
        FlowValidation.PositiveId("bot_id", BotId, errors, required: true);
        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("name", "Must not be blank.");
        }

        BotValidation.NameAndDescription(Name, null, errors);
    }
}

internal static class FlowValidation
{
    public static void PositiveId(string field, long? value, ValidationErrors errors, bool required)
    {
        if (value is null ? required : value <= 0)
        {
            errors.Add(field, required && value is null ? "This field is required." : "Must be a positive id.");
        }
    }

    /// <summary>Only presence here; the type and config are checked by the flow validator (422 with <c>problems</c>).</summary>
    public static void Node(string? type, JsonElement config, ValidationErrors errors, string prefix = "")
    {
        errors.Required(prefix + "type", type);
        if (config.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            errors.Add(prefix + "config", "This field is required.");
        }
    }
}

public sealed record ProblemResponse(string Severity, long? NodeId, string Field, string Code, string Message)
{
    public static ProblemResponse From(ProblemView p) => new(p.Severity, p.NodeId, p.Field, p.Code, p.Message);

    public static ProblemResponse[] From(IEnumerable<ProblemView> problems) => [.. problems.Select(From)];
}

public sealed record NodeResponse(long Id, long FlowId, string Type, string? Name, JsonElement Config, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt)
{
    public static NodeResponse From(NodeView n) => new(n.Id, n.FlowId, n.Type, n.Name, FlowJson.Parse(n.ConfigJson), n.CreatedAt, n.UpdatedAt);
}

/// <summary>A flow. <c>entry_node_id</c> is what was set (null: default); <c>resolved_entry_node_id</c> is the node executions start at.</summary>
public sealed record FlowResponse(
    long Id, long BotId, long OrganizationId, string Name, string? Description, long? EntryNodeId, long? ResolvedEntryNodeId, int NodeCount,
    int? LatestVersion, long CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt, NodeResponse[]? Nodes)
{
    public static FlowResponse From(FlowView f) => new(
        f.Id, f.BotId, f.OrganizationId, f.Name, f.Description, f.EntryNodeId, f.ResolvedEntryNodeId, f.NodeCount, f.LatestVersion,
        f.CreatedBy, f.CreatedAt, f.UpdatedAt, f.Nodes?.Select(NodeResponse.From).ToArray());
}

/// <summary>The 422 of a draft refused by validation: the RFC 9457 fields and every problem found, in <c>problems</c>.</summary>
public sealed record FlowProblemDetails(string? Type, string? Title, int? Status, string? Detail, ProblemResponse[] Problems);

public sealed record ValidationResponse(bool Valid, ProblemResponse[] Problems);

public sealed record PublishResponse(long FlowId, int Version, DateTimeOffset PublishedAt, long PublishedBy, ProblemResponse[] Warnings);

/// <summary>A published version; <c>definition</c> is <c>{"entry_node_id", "nodes": [{id, type, name, config}]}</c> (absent in lists).</summary>
public sealed record FlowVersionResponse(long FlowId, int Version, DateTimeOffset PublishedAt, long PublishedBy, int NodeCount, JsonElement? Definition)
{
    public static FlowVersionResponse From(FlowVersionView v) =>
        new(v.FlowId, v.Version, v.PublishedAt, v.PublishedBy, v.NodeCount, v.DefinitionJson is null ? null : FlowJson.Parse(v.DefinitionJson));
}

public sealed record TemplateResponse(long Id, long OrganizationId, string Name, string? Description, int NodeCount, JsonElement Definition, long CreatedBy, DateTimeOffset CreatedAt)
{
    public static TemplateResponse From(TemplateView t) =>
        new(t.Id, t.OrganizationId, t.Name, t.Description, t.NodeCount, FlowJson.Parse(t.DefinitionJson), t.CreatedBy, t.CreatedAt);
}

internal static class FlowJson
{
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
