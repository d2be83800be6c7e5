using ChatBoost.Api.Auth;
using ChatBoost.Api.Flows;
using ChatBoost.Api.Http;
using ChatBoost.Api.Organizations;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Flows;
using Microsoft.AspNetCore.Mvc;
using static ChatBoost.Grains.Interfaces.Organizations.Permissions;

namespace ChatBoost.Api.Bots;

/// <summary>The seed's Bot Builder module: bots (this file), flows, nodes and templates (<see cref="FlowEndpoints"/>).</summary>
public static class BotEndpoints
{
    public const string Tag = "Bot Builder";

    public const string TagDescription = "Bots, their flows (draft, validate, publish, versions), nodes and flow templates. Node types and validation codes: docs/flows.md.";

    public static RouteGroupBuilder MapBotEndpoints(this IEndpointRouteBuilder app)
    {
        var bots = app.MapGroup("/bots").WithModuleTag(Tag, TagDescription);

        bots.MapPost("/", async (Body<CreateBotRequest> body, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IBotRegistryGrain>(0).CreateAsync(body.Value.ToCommand(CurrentUser.Get(http).Id, OrganizationAccess.Get(http).OrganizationId)))
                    .ToHttp(b => TypedResults.Created($"/bots/{b.Id}", BotResponse.From(b))))
            .RequireOrganizationPermissionFromBody<CreateBotRequest>(BotsWrite, (http, b) => ValueTask.FromResult<long?>(BotAccess.OrPersonal(http, b.OrganizationId)))
            .WithName("Bots_Create")
            .Produces<BotResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Create a bot")
            .WithDescription(
                "organization_id is optional: without it the bot belongs to the caller's personal organization. WhatsApp secrets " +
                "(whatsapp_access_token, whatsapp_app_secret, whatsapp_webhook_verify_token) are encrypted at rest and never returned: " +
                "responses show has_… and, for secrets of 12 characters or more, the last four characters. A whatsapp_phone_number_id " +
                "belongs to at most one live bot (409 otherwise) and is accepted only when Meta confirms, on GET /{version}/{phone_number_id} " +
                "with the bot's access token, that the token reaches it (422 otherwise, 503 when Meta cannot be asked); the platform's " +
                "own WHATSAPP_PHONE_NUMBER_ID is refused (409). The operator's WHATSAPP_* access token, phone number id and business " +
                "account serve a bot without its own only when WHATSAPP_DEFAULT_CREDENTIALS allows its organization. default_flow_id must be null or absent here (a new bot has no flows; 422 " +
                "otherwise): set it with PUT once a flow is published.");

        bots.MapGet("/", async (HttpContext http, IClusterClient cluster) =>
            {
                if (!Paging.TryParse(http.Request, out var paging, out var problem))
                {
                    return problem!;
                }

                var organizationId = BotAccess.QueryId(http, "organization_id", out _);
                var list = await cluster.GetGrain<IBotRegistryGrain>(0).ListAsync(CurrentUser.Get(http).Id, organizationId, paging.Limit, paging.Offset);
                return TypedResults.Ok(list.Select(BotResponse.From).ToArray());
            })
            .RequireListPermission(BotsRead)
            .WithName("Bots_List")
            .Produces<BotResponse[]>()
            .WithPaging()
            .WithSummary("List bots (paged with limit/offset)")
            .WithDescription("The live bots of every organization the caller belongs to, by id; organization_id filters to one of them.");

        var bot = bots.MapGroup("/{bot_id:long}");
        bot.MapGet("", async ([FromRoute(Name = "bot_id")] long botId, IClusterClient cluster) =>
                await cluster.GetGrain<IBotGrain>(botId).GetAsync() is { } b ? TypedResults.Ok(BotResponse.From(b)) : NotFound())
            .RequireOrganizationPermission(BotsRead, BotAccess.OfRouteBot)
            .WithName("Bots_Get")
            .Produces<BotResponse>()
            .WithSummary("Get a bot");

        bot.MapPut("", async ([FromRoute(Name = "bot_id")] long botId, Body<UpdateBotRequest> body, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IBotGrain>(botId).UpdateAsync(body.Value.ToCommand(CurrentUser.Get(http).Id)))
                    .ToHttp(b => TypedResults.Ok(BotResponse.From(b))))
            .RequireOrganizationPermission(BotsWrite, BotAccess.OfRouteBot)
            .WithName("Bots_Update")
            .Produces<BotResponse>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Update a bot (partial)")
            .WithDescription(
                "Absent fields are unchanged. For description, whatsapp_phone_number_id, whatsapp_business_account_id and the three " +
                "secrets, null clears the value and a string replaces it. Changing or clearing the phone number id releases the old one. " +
                "A new phone number id, or a new access token for the kept one, is confirmed with Meta as on create (409/422/503). " +
                "default_flow_id is the flow a contact's message starts when no execution is running for that contact (its latest " +
                "published version): it must be a live flow of this bot with a published version (422 otherwise), and null clears it. " +
                "If that flow is deleted later, the bot still shows its id but it no longer starts anything.");

        bot.MapDelete("", async ([FromRoute(Name = "bot_id")] long botId, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IBotGrain>(botId).DeleteAsync(CurrentUser.Get(http).Id)).ToHttp(_ => TypedResults.NoContent()))
            .RequireOrganizationPermission(BotsWrite, BotAccess.OfRouteBot)
            .WithName("Bots_Delete")
            .Produces(StatusCodes.Status204NoContent)
            .WithSummary("Delete a bot and its flows")
            .WithDescription(
                "Soft delete: the bot and its flows answer 404 from now on and no new executions start on them; executions already " +
                "running finish on the flow version they pinned. Published versions and history are kept. The phone number id is " +
                "released for another bot.");

        return bots;
    }

    internal static IResult NotFound(string detail = "Not found.") =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found.");

    /// <summary>Like <see cref="CommandResults.ToHttp{T}"/>, with the validator's problems listed in <c>problems</c>.</summary>
    internal static IResult ToHttp<T>(this ValidatedResult<T> result, Func<T, IResult> onOk)
    {
        if (result.IsOk)
        {
            return onOk(result.Value!);
        }

        var (status, title) = result.Status == CommandStatus.Invalid
            ? (StatusCodes.Status422UnprocessableEntity, "The flow is not valid.")
            : CommandResults.StatusOf(result.Status);
        return TypedResults.Problem(
            result.Detail,
            statusCode: status,
            title: title,
            extensions: result.Problems.Count == 0 ? null : new Dictionary<string, object?> { ["problems"] = ProblemResponse.From(result.Problems) });
    }
}
