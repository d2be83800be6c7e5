using System.Globalization;
using ChatBoost.Api.Auth;
using ChatBoost.Api.Bots;
using ChatBoost.Api.Contacts;
using ChatBoost.Api.Http;
using ChatBoost.Api.Organizations;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Flows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using static ChatBoost.Grains.Interfaces.Organizations.Permissions;

namespace ChatBoost.Api.Flows;

/// <summary>
/// The seed's Flow Engine module: start, inspect, resume, cancel and feed flow executions, their logs and statistics
/// (flows.execute / flows.read in the organization that owns the bot). Executions run in the contact's grain; reads
/// come from the execution query tables. The module's contact endpoints are in <see cref="ContactEndpoints"/>.
/// </summary>
public static class ExecutionEndpoints
{
    public const string Tag = "Flow Engine";

    public const string TagDescription = "Starting and following flow executions (status, logs, input, resume, cancel), their statistics, and the contacts flows run for.";

    private const string ListDescription =
        "Paged with limit (1–200, default 50) and offset; the total is in the X-Total-Count header. Without filters the list " +
        "spans every organization the caller belongs to; organization_id narrows it to one, bot_id to one bot (404 when " +
        "the bot is not visible to the caller).";

    public static RouteGroupBuilder MapExecutionEndpoints(this IEndpointRouteBuilder app)
    {
        var flows = app.MapGroup("/flows").WithModuleTag(Tag, TagDescription);

        flows.MapPost("/execute", ExecuteAsync)
            .RequireOrganizationPermissionFromBody<ExecuteFlowRequest>(FlowsExecute, (http, b) => BotAccess.OfBot(http, b.BotId))
            .WithName("Flows_Execute")
            .WithSummary("Start a flow execution for a contact")
            .WithDescription(
                "Starts the latest published version of flow_id (a flow of bot_id) for the contact contact_phone (5 to 20 digits, " +
                "optional leading +), creating the contact if needed, and runs it until it waits, ends or fails. initial_state is an " +
                "optional object of state variables (keys ^[A-Za-z_][A-Za-z0-9_]{0,63}$, at most 100, at most 32 KB). 201 with the " +
                "execution. 404 when the bot or flow is not visible; 422 when the flow has no published version; 409 when the " +
                "contact already has an active execution.")
            .Produces<ExecutionResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        flows.MapGet("/executions/contact/{phone}", ListByPhoneAsync)
            .ValidateFirst((http, errors) =>
            {
                if (!ContactValidation.IsPhone(http.Request.RouteValues["phone"] as string))
                {
                    errors.Add("phone", "Must be a phone number in international format (5 to 20 digits, optional leading +).");
                }
            })
            .RequireScopedPermission(FlowsRead)
            .WithName("Flows_ListExecutionsByPhone")
            .WithPaging()
            .WithSummary("List a contact's executions, newest first")
            .WithDescription("The executions of contacts with this phone number. " + ListDescription)
            .Produces<ExecutionResponse[]>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        flows.MapGet("/statistics", StatisticsAsync)
            .RequireScopedPermission(FlowsRead, flowFilter: true)
            .WithName("Flows_GetStatistics")
            .WithSummary("Execution statistics")
            .WithDescription(
                "Counts by status, the completion rate (completed over ended executions) and the average duration of ended " +
                "executions, overall and per flow. Without filters over every organization the caller belongs to; organization_id, " +
                "bot_id or flow_id narrow it (404 when the bot or flow is not visible).")
            .Produces<ExecutionStatisticsResponse>();

        var execution = flows.MapGroup("/executions/{execution_id:long}");
        execution.MapGet("", async ([FromRoute(Name = "execution_id")] long executionId, IClusterClient cluster) =>
                await cluster.GetGrain<IExecutionQueryGrain>(0).GetAsync(executionId) is { } e
                    ? TypedResults.Ok(ExecutionResponse.From(e))
                    : BotEndpoints.NotFound("Execution not found."))
            .RequireOrganizationPermission(FlowsRead, ContactAccess.OfRouteExecution)
            .WithName("Flows_GetExecution")
            .WithSummary("Get an execution")
            .Produces<ExecutionResponse>();

        execution.MapPost("/resume", async ([FromRoute(Name = "execution_id")] long executionId, HttpContext http, IClusterClient cluster) =>
                (await ContactAccess.ExecutionContactGrain(http, cluster).ResumeExecutionAsync(executionId))
                    .ToHttp(e => TypedResults.Ok(ExecutionResponse.From(e))))
            .RequireOrganizationPermission(FlowsExecute, ContactAccess.OfRouteExecution)
            .WithName("Flows_ResumeExecution")
            .WithSummary("Resume an execution now")
            .WithDescription(
                "Ends a wait early and continues with the next node, or retries the failed step of a failed execution. 409 when " +
                "the execution is in neither state.")
            .Produces<ExecutionResponse>()
            .ProducesProblem(StatusCodes.Status409Conflict);

        execution.MapPost("/cancel", async ([FromRoute(Name = "execution_id")] long executionId, OptionalBody<CancelExecutionRequest> body, HttpContext http, IClusterClient cluster) =>
            {
                var reason = string.IsNullOrWhiteSpace(body.Value?.Reason)
                    ? $"Cancelled through the API by user {CurrentUser.Get(http).Id.ToString(CultureInfo.InvariantCulture)}."
                    : body.Value.Reason.Trim();
                return (await ContactAccess.ExecutionContactGrain(http, cluster).CancelExecutionAsync(executionId, reason))
                    .ToHttp(e => TypedResults.Ok(ExecutionResponse.From(e)));
            })
            .RequireOrganizationPermission(FlowsExecute, ContactAccess.OfRouteExecution)
            .WithName("Flows_CancelExecution")
            .WithSummary("Cancel an execution")
            .WithDescription("The body is optional: {reason} (at most 500 characters). 409 when the execution has already ended.")
            .Produces<ExecutionResponse>()
            .ProducesProblem(StatusCodes.Status409Conflict);

        execution.MapPost("/input", async ([FromRoute(Name = "execution_id")] long executionId, Body<ExecutionInputRequest> body, HttpContext http, IClusterClient cluster) =>
            {
                if (body.Value.ExecutionId is { } named && named != executionId)
                {
                    return Problems.Validation("execution_id", "Must equal the execution id in the path (or be left out).");
                }

                return (await ContactAccess.ExecutionContactGrain(http, cluster).SubmitInputAsync(executionId, body.Value.Message!))
                    .ToHttp(e => TypedResults.Ok(ExecutionResponse.From(e)));
            })
            .RequireOrganizationPermission(FlowsExecute, ContactAccess.OfRouteExecution)
            .WithName("Flows_SubmitInput")
            .WithSummary("Deliver the contact's input to a waiting execution")
            .WithDescription(
                "As if the contact replied: message (1 to 4096 characters) is stored where the waiting node says and the flow " +
                "continues. message_type is text (default), button or list (the chosen button or row id). 409 when the execution " +
                "is not waiting for a reply.")
            .Produces<ExecutionResponse>()
            .ProducesProblem(StatusCodes.Status409Conflict);

        execution.MapGet("/logs", LogsAsync)
            .RequireOrganizationPermission(FlowsRead, ContactAccess.OfRouteExecution)
            .WithName("Flows_GetExecutionLogs")
            .WithQueryParameter("after", JsonSchemaType.Integer, "Only lines after this seq (default 0).", format: "int32")
            .WithQueryParameter("limit", JsonSchemaType.Integer, $"Lines per page, 1 to {Paging.MaxLimit} (default {Paging.DefaultLimit}).", format: "int32")
            .WithSummary("An execution's step log, in order")
            .WithDescription(
                "Lines after seq 'after' (default 0), at most limit (1–200, default 50). Pass next_after as after for the next " +
                "page; next_after is null when there are no more lines yet.")
            .Produces<ExecutionLogPageResponse>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        return flows;
    }

    private static async Task<IResult> ExecuteAsync(Body<ExecuteFlowRequest> body, HttpContext http, IClusterClient cluster)
    {
        var request = body.Value;
        var organizationId = OrganizationAccess.Get(http).OrganizationId;

        // The flow must be visible in the bot's organization: another organization's flow id is a 404, whatever the grain does.
        if (await BotAccess.OfFlow(http, request.FlowId) != organizationId)
        {
            return BotEndpoints.NotFound("Flow not found.");
        }

        var result = await cluster.GetGrain<IContactGrain>(request.BotId!.Value, request.ContactDigits(), null).StartExecutionAsync(
            new StartExecutionCommand(request.FlowId!.Value, organizationId, request.InitialStateJson(), CurrentUser.Get(http).Id));
        return result.ToHttp(e => TypedResults.Created($"/flows/executions/{e.Id}", ExecutionResponse.From(e)));
    }

    private static async Task<IResult> ListByPhoneAsync(string phone, HttpContext http, IClusterClient cluster)
    {
        if (!Paging.TryParse(http.Request, out var paging, out var problem))
        {
            return problem!;
        }

        var scope = await ContactAccess.ScopeAsync(http, FlowsRead);
        var page = await cluster.GetGrain<IExecutionQueryGrain>(0).ListByPhoneAsync(scope.OrganizationIds, ContactValidation.Digits(phone), scope.BotId, paging.Limit, paging.Offset);
        ContactAccess.SetTotal(http, page.Total);
        return TypedResults.Ok(page.Items.Select(ExecutionResponse.From).ToArray());
    }

    private static async Task<IResult> StatisticsAsync(HttpContext http, IClusterClient cluster)
    {
        var scope = await ContactAccess.ScopeAsync(http, FlowsRead, flowFilter: true);
        var statistics = await cluster.GetGrain<IExecutionQueryGrain>(0).GetStatisticsAsync(scope.OrganizationIds, scope.BotId, scope.FlowId);
        return TypedResults.Ok(ExecutionStatisticsResponse.From(statistics));
    }

    private static async Task<IResult> LogsAsync([FromRoute(Name = "execution_id")] long executionId, HttpContext http, IClusterClient cluster)
    {
        var errors = new ValidationErrors();
        var after = ParseInt(http.Request.Query["after"].ToString(), "after", 0, 0, int.MaxValue - 1, errors);
        var limit = ParseInt(http.Request.Query["limit"].ToString(), "limit", Paging.DefaultLimit, 1, Paging.MaxLimit, errors);
        if (errors.Any)
        {
            return errors.ToResult();
        }

        // One line more than asked tells whether another page exists; the query grain returns at most MaxLimit lines, so a
        // full page of MaxLimit may have more (the next page is then possibly empty).
        var lines = await cluster.GetGrain<IExecutionQueryGrain>(0).GetLogsAsync(executionId, after, limit + 1);
        var items = lines.Take(limit).Select(ExecutionLogResponse.From).ToArray();
        var more = lines.Count > limit || (limit == Paging.MaxLimit && lines.Count == limit);
        return TypedResults.Ok(new ExecutionLogPageResponse(items, more && items.Length > 0 ? items[^1].Seq : null));
    }

    private static int ParseInt(string raw, string name, int fallback, int min, int max, ValidationErrors errors)
    {
        if (raw.Length == 0)
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            errors.Add(name, $"Must be a whole number from {min} to {max}.");
            return fallback;
        }

        return value;
    }
}
