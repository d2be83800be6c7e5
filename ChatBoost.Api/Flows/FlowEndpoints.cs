using ChatBoost.Api.Bots;
using ChatBoost.Api.Auth;
using ChatBoost.Api.Http;
using ChatBoost.Api.Organizations;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Flows;
using Microsoft.AspNetCore.Mvc;
using static ChatBoost.Grains.Interfaces.Organizations.Permissions;

namespace ChatBoost.Api.Flows;

/// <summary>Flows (draft, validate, publish, versions), nodes and templates of the Bot Builder module.</summary>
public static class FlowEndpoints
{
    private const string NodeRules =
        "Node types and their config: docs/flows.md (send_message, wait, condition, webhook_action, set_attribute). Branch " +
        "fields (next, true_path, false_path, timeout_path, error_path) hold the id of a node of the same flow, as returned " +
        "by POST /bots/nodes/; absent or null ends the flow. A branch must name a node that already exists when the node is " +
        "saved: build a flow from its last node backwards, or create the nodes first and then PUT their branches. The flow's " +
        "entry node is its entry_node_id, by default the first node created. A node that fails validation is refused with " +
        "422 and a 'problems' array of {severity, node_id, field, code, message}.";

    public static RouteGroupBuilder MapFlowEndpoints(this IEndpointRouteBuilder app)
    {
        var bots = app.MapGroup("/bots").WithModuleTag(BotEndpoints.Tag, BotEndpoints.TagDescription);
        MapFlows(bots);
        MapNodes(bots);
        MapTemplates(bots);
        return bots;
    }

    private static void MapFlows(RouteGroupBuilder bots)
    {
        bots.MapPost("/flows/", async (Body<CreateFlowRequest> body, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IBotGrain>(body.Value.BotId!.Value).CreateFlowAsync(
                    new CreateFlowCommand(CurrentUser.Get(http).Id, body.Value.Name!.Trim(), BotValidation.Blank(body.Value.Description))))
                    .ToHttp(f => TypedResults.Created($"/bots/flows/{f.Id}", FlowResponse.From(f))))
            .RequireOrganizationPermissionFromBody<CreateFlowRequest>(FlowsWrite, (http, b) => BotAccess.OfBot(http, b.BotId))
            .WithName("Bots_CreateFlow")
            .Produces<FlowResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Create a flow in a bot (an empty draft)")
            .WithDescription($"A bot has at most 200 live flows (409 beyond). {NodeRules}");

        bots.MapGet("/flows/", async (HttpContext http, IClusterClient cluster) =>
            {
                if (!Paging.TryParse(http.Request, out var paging, out var problem))
                {
                    return problem!;
                }

                var botId = BotAccess.QueryId(http, "bot_id", out _);
                var list = await cluster.GetGrain<IFlowRegistryGrain>(0).ListFlowsAsync(CurrentUser.Get(http).Id, botId, paging.Limit, paging.Offset);
                return TypedResults.Ok(list.Select(FlowResponse.From).ToArray());
            })
            .ValidateQueryIds("bot_id")
            .RequireOrganizationPermission(FlowsRead, http => BotAccess.QueryId(http, "bot_id", out var present) is var botId && present
                ? BotAccess.OfBot(http, botId)
                : ValueTask.FromResult<long?>(BotAccess.OrPersonal(http, null)))
            .WithName("Bots_ListFlows")
            .Produces<FlowResponse[]>()
            .WithPaging()
            .WithSummary("List flows (paged with limit/offset), without their nodes")
            .WithDescription("bot_id filters to one bot; without it, the live flows of every organization the caller belongs to.");

        var flow = bots.MapGroup("/flows/{flow_id:long}");
        flow.MapGet("", async ([FromRoute(Name = "flow_id")] long flowId, IClusterClient cluster) =>
                await cluster.GetGrain<IFlowGrain>(flowId).GetAsync() is { } f ? TypedResults.Ok(FlowResponse.From(f)) : BotEndpoints.NotFound())
            .RequireOrganizationPermission(FlowsRead, BotAccess.OfRouteFlow)
            .WithName("Bots_GetFlow")
            .Produces<FlowResponse>()
            .WithSummary("Get a flow with its draft nodes");

        flow.MapPut("", async ([FromRoute(Name = "flow_id")] long flowId, Body<UpdateFlowRequest> body, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IFlowGrain>(flowId).UpdateAsync(body.Value.ToCommand(CurrentUser.Get(http).Id))).ToHttp(f => TypedResults.Ok(FlowResponse.From(f))))
            .RequireOrganizationPermission(FlowsWrite, BotAccess.OfRouteFlow)
            .WithName("Bots_UpdateFlow")
            .Produces<FlowResponse>()
            .WithSummary("Update a flow's name, description or entry node (partial)")
            .WithDescription("entry_node_id must be a node of the flow; null resets it to the default, the first node created.");

        flow.MapDelete("", async ([FromRoute(Name = "flow_id")] long flowId, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IFlowGrain>(flowId).DeleteAsync(CurrentUser.Get(http).Id)).ToHttp(_ => TypedResults.NoContent()))
            .RequireOrganizationPermission(FlowsWrite, BotAccess.OfRouteFlow)
            .WithName("Bots_DeleteFlow")
            .Produces(StatusCodes.Status204NoContent)
            .WithSummary("Delete a flow")
            .WithDescription(
                "Soft delete: the flow, its nodes and its versions answer 404 from now on and no new executions start; executions " +
                "already running finish on the version they pinned. The rows are kept as history.");

        flow.MapPost("/validate", ValidateAsync)
            .RequireOrganizationPermission(FlowsRead, BotAccess.OfRouteFlow)
            .WithName("Bots_ValidateFlow")
            .Produces<ValidationResponse>()
            .WithSummary("Validate the draft as publishing would, without publishing")
            .WithDescription("Always 200 for an existing flow: valid is false when any problem has severity error; every problem is listed.");

        flow.MapPost("/publish", PublishAsync)
            .RequireOrganizationPermission(FlowsWrite, BotAccess.OfRouteFlow)
            .WithName("Bots_PublishFlow")
            .Produces<PublishResponse>(StatusCodes.Status201Created)
            .Produces<FlowProblemDetails>(StatusCodes.Status422UnprocessableEntity, ProblemResponses.ContentType)
            .WithSummary("Publish the draft as a new immutable version")
            .WithDescription(
                "Validates the whole draft (docs/flows.md, Validation). Refused with 422 and every problem in 'problems' while any " +
                "has severity error; warnings do not block and come back in 'warnings'. Returns the new version number. Versions " +
                "never change; executions pin the version they start on.");

        flow.MapGet("/versions", async ([FromRoute(Name = "flow_id")] long flowId, HttpContext http, IClusterClient cluster) =>
            {
                if (!Paging.TryParse(http.Request, out var paging, out var problem))
                {
                    return problem!;
                }

                return await cluster.GetGrain<IFlowGrain>(flowId).ListVersionsAsync(paging.Limit, paging.Offset) is { } list
                    ? TypedResults.Ok(list.Select(FlowVersionResponse.From).ToArray())
                    : BotEndpoints.NotFound();
            })
            .RequireOrganizationPermission(FlowsRead, BotAccess.OfRouteFlow)
            .WithName("Bots_ListFlowVersions")
            .Produces<FlowVersionResponse[]>()
            .WithPaging()
            .WithSummary("List published versions, newest first (paged with limit/offset)");

        flow.MapGet("/versions/{version:int}", async ([FromRoute(Name = "flow_id")] long flowId, int version, IClusterClient cluster) =>
                version > 0 && await cluster.GetGrain<IFlowGrain>(flowId).GetVersionAsync(version) is { } v
                    ? TypedResults.Ok(FlowVersionResponse.From(v))
                    : BotEndpoints.NotFound("Version not found."))
            .RequireOrganizationPermission(FlowsRead, BotAccess.OfRouteFlow)
            .WithName("Bots_GetFlowVersion")
            .Produces<FlowVersionResponse>()
            .WithSummary("Get one published version with its definition");
    }

    private static void MapNodes(RouteGroupBuilder bots)
    {
        bots.MapPost("/nodes/", async (Body<CreateNodeRequest> body, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IFlowGrain>(body.Value.FlowId!.Value).AddNodeAsync(CurrentUser.Get(http).Id, body.Value.ToInput()))
                    .ToHttp(n => TypedResults.Created($"/bots/nodes/{n.Id}", NodeResponse.From(n))))
            .RequireOrganizationPermissionFromBody<CreateNodeRequest>(FlowsWrite, (http, b) => BotAccess.OfFlow(http, b.FlowId))
            .WithName("Bots_CreateNode")
            .Produces<NodeResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Create a node in a flow's draft")
            .WithDescription($"At most 500 nodes per flow, config at most 16 KB. {NodeRules}");

        var node = bots.MapGroup("/nodes/{node_id:long}");
        node.MapGet("", async ([FromRoute(Name = "node_id")] long nodeId, HttpContext http, IClusterClient cluster) =>
                await cluster.GetGrain<IFlowGrain>(BotAccess.FlowOfNode(http)).GetNodeAsync(nodeId) is { } n
                    ? TypedResults.Ok(NodeResponse.From(n))
                    : BotEndpoints.NotFound())
            .RequireOrganizationPermission(FlowsRead, BotAccess.OfRouteNode)
            .WithName("Bots_GetNode")
            .Produces<NodeResponse>()
            .WithSummary("Get a node");

        node.MapPut("", async ([FromRoute(Name = "node_id")] long nodeId, Body<UpdateNodeRequest> body, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IFlowGrain>(BotAccess.FlowOfNode(http)).UpdateNodeAsync(CurrentUser.Get(http).Id, nodeId, body.Value.ToInput()))
                    .ToHttp(n => TypedResults.Ok(NodeResponse.From(n))))
            .RequireOrganizationPermission(FlowsWrite, BotAccess.OfRouteNode)
            .WithName("Bots_UpdateNode")
            .Produces<NodeResponse>()
            .WithSummary("Replace a node's type, name and config")
            .WithDescription(NodeRules);

        node.MapDelete("", async ([FromRoute(Name = "node_id")] long nodeId, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IFlowGrain>(BotAccess.FlowOfNode(http)).DeleteNodeAsync(CurrentUser.Get(http).Id, nodeId))
                    .ToHttp(_ => TypedResults.NoContent()))
            .RequireOrganizationPermission(FlowsWrite, BotAccess.OfRouteNode)
            .WithName("Bots_DeleteNode")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Delete a node from the draft")
            .WithDescription(
                "Refused with 409 while another node's branch leads to it; 'problems' lists each referrer (code node_referenced, " +
                "node_id and field of the branch). If it was the flow's explicit entry node, the entry resets to the default " +
                "(the first node created). Published versions are not affected. See docs/flows.md.");
    }

    private static void MapTemplates(RouteGroupBuilder bots)
    {
        bots.MapPost("/templates/", async (Body<CreateTemplateRequest> body, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IFlowRegistryGrain>(0).CreateTemplateAsync(body.Value.ToCommand(CurrentUser.Get(http).Id, OrganizationAccess.Get(http).OrganizationId)))
                    .ToHttp(t => TypedResults.Created($"/bots/templates/{t.Id}", TemplateResponse.From(t))))
            .RequireOrganizationPermissionFromBody<CreateTemplateRequest>(FlowsWrite, (http, b) => ValueTask.FromResult<long?>(BotAccess.OrPersonal(http, b.OrganizationId)))
            .WithName("Bots_CreateTemplate")
            .Produces<TemplateResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Create a reusable flow template")
            .WithDescription(
                "A graph of nodes with local ids: nodes: [{id, type, name?, config}], where branch fields name those local ids, and an " +
                "optional entry_node_id (default: the smallest id). Validated like a flow on publish (422 with 'problems'). " +
                "organization_id is optional (default: the caller's personal organization). See docs/flows.md.");

        bots.MapGet("/templates/", async (HttpContext http, IClusterClient cluster) =>
            {
                if (!Paging.TryParse(http.Request, out var paging, out var problem))
                {
                    return problem!;
                }

                var organizationId = BotAccess.QueryId(http, "organization_id", out _);
                var list = await cluster.GetGrain<IFlowRegistryGrain>(0).ListTemplatesAsync(CurrentUser.Get(http).Id, organizationId, paging.Limit, paging.Offset);
                return TypedResults.Ok(list.Select(TemplateResponse.From).ToArray());
            })
            .RequireListPermission(FlowsRead)
            .WithName("Bots_ListTemplates")
            .Produces<TemplateResponse[]>()
            .WithPaging()
            .WithSummary("List templates (paged with limit/offset)")
            .WithDescription("The templates of every organization the caller belongs to; organization_id filters to one of them.");

        bots.MapPost("/templates/{template_id:long}/instantiate", async (
                    [FromRoute(Name = "template_id")] long templateId, Body<InstantiateTemplateRequest> body, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IFlowRegistryGrain>(0).InstantiateTemplateAsync(
                        CurrentUser.Get(http).Id, templateId, body.Value.BotId!.Value, body.Value.Name?.Trim()))
                    .ToHttp(f => TypedResults.Created($"/bots/flows/{f.Id}", FlowResponse.From(f))))
            .RequireOrganizationPermissionFromBody<InstantiateTemplateRequest>(FlowsWrite, (http, b) => BotAccess.OfBot(http, b.BotId))
            .WithName("Bots_InstantiateTemplate")
            .Produces<FlowResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Create a flow in a bot from a template")
            .WithDescription(
                "The bot must belong to the template's organization (404 otherwise). Every node gets a fresh id and the branches are " +
                "remapped; the new flow is a draft, to be published.");
    }

    private static async Task<IResult> PublishAsync([FromRoute(Name = "flow_id")] long flowId, HttpContext http, IClusterClient cluster)
    {
        var result = await cluster.GetGrain<IFlowGrain>(flowId).PublishAsync(CurrentUser.Get(http).Id);
        return result.ToHttp(v => TypedResults.Created(
            $"/bots/flows/{v.FlowId}/versions/{v.Version}",
            new PublishResponse(v.FlowId, v.Version, v.PublishedAt, v.PublishedBy, ProblemResponse.From(result.Problems))));
    }

    private static async Task<IResult> ValidateAsync([FromRoute(Name = "flow_id")] long flowId, IClusterClient cluster)
    {
        var result = await cluster.GetGrain<IFlowGrain>(flowId).ValidateAsync();
        return result.IsOk
            ? TypedResults.Ok(new ValidationResponse(result.Value, ProblemResponse.From(result.Problems)))
            : result.ToHttp(_ => TypedResults.NoContent());
    }
}
