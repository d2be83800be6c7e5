using ChatBoost.Api.Auth;
using ChatBoost.Api.Bots;
using ChatBoost.Api.Contacts;
using ChatBoost.Api.Http;
using ChatBoost.Api.Organizations;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Triggers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using static ChatBoost.Grains.Interfaces.Organizations.Permissions;

namespace ChatBoost.Api.Triggers;

/// <summary>
/// The seed's Automation Triggers module: triggers.read / triggers.write in the organization that owns the trigger's bot.
/// Writes and tests go to the bot's trigger set grain; lists, logs and statistics read the trigger query tables.
/// </summary>
public static class TriggerEndpoints
{
    public const string Tag = "Automation Triggers";

    private static readonly string[] TriggerTypes = ["keyword", "event", "schedule"];

    public static void MapTriggerEndpoints(this IEndpointRouteBuilder app)
    {
        var triggers = app.MapGroup("/triggers").WithModuleTag(Tag,
            "Keyword, event and schedule triggers that start a bot's flows; testing a message against them; their logs and statistics.");

        triggers.MapPost("/", async (Body<CreateTriggerRequest> body, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<ITriggerSetGrain>(body.Value.BotId!.Value)
                    .CreateAsync(OrganizationAccess.Get(http).OrganizationId, CurrentUser.Get(http).Id, body.Value.ToDefinition()))
                    .ToHttp(t => TypedResults.Created($"/triggers/{t.Id}", TriggerResponse.From(t))))
            .RequireOrganizationPermissionFromBody<CreateTriggerRequest>(TriggersWrite, (http, b) => BotAccess.OfBot(http, b.BotId))
            .WithName("Triggers_Create")
            .WithSummary("Create a trigger")
            .WithDescription(
                "A keyword, event or schedule trigger of bot_id that starts flow_id (a flow of the same bot with a published version). " +
                "Keywords are compared after Unicode NFKC normalisation, trimming and collapsing white space; regex keywords run on the " +
                "non-backtracking engine (no back-references or look-arounds). Keyword triggers run by priority (higher first), then id. " +
                "schedule_timezone is an IANA name; schedule_day_of_week is 0 (Monday) to 6 (Sunday). 422 names the field at fault.")
            .Produces<TriggerResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        triggers.MapGet("/", async (HttpContext http, IClusterClient cluster) =>
            {
                if (!Paging.TryParse(http.Request, out var paging, out var problem))
                {
                    return problem!;
                }

                var scope = await ContactAccess.ScopeAsync(http, TriggersRead);
                var filter = new TriggerFilter(scope.OrganizationIds, scope.BotId, TypeFilter(http), ActiveFilter(http));
                var page = await cluster.GetGrain<ITriggerQueryGrain>(0).ListAsync(filter, paging.Limit, paging.Offset);
                ContactAccess.SetTotal(http, page.Total);
                return TypedResults.Ok(page.Items.Select(TriggerResponse.From).ToArray());
            })
            .ValidateFirst(ValidateListFilters)
            .RequireScopedPermission(TriggersRead)
            .WithPaging()
            .WithQueryId("organization_id", "Only this organization's triggers.")
            .WithQueryId("bot_id", "Only this bot's triggers.")
            .WithQueryParameter("trigger_type", JsonSchemaType.String, "keyword, event or schedule.")
            .WithQueryParameter("is_active", JsonSchemaType.Boolean, "true or false.")
            .WithName("Triggers_List")
            .WithSummary("List triggers")
            .WithDescription(
                "Paged with limit (1–200, default 50) and offset, by id; the total is in X-Total-Count. Filters: organization_id, bot_id, " +
                "trigger_type (keyword, event, schedule), is_active (true, false). Without filters: every organization the caller belongs to.")
            .Produces<TriggerResponse[]>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);

        triggers.MapGet("/statistics", async (HttpContext http, IClusterClient cluster) =>
            {
                var scope = await ContactAccess.ScopeAsync(http, TriggersRead);
                var rows = await cluster.GetGrain<ITriggerQueryGrain>(0).StatisticsAsync(scope.OrganizationIds, scope.BotId);
                return TypedResults.Ok(TriggerStatisticsResponse.From(rows));
            })
            .RequireScopedPermission(TriggersRead)
            .WithQueryId("organization_id", "Only this organization's triggers.")
            .WithQueryId("bot_id", "Only this bot's triggers.")
            .WithName("Triggers_Statistics")
            .WithSummary("Trigger statistics")
            .WithDescription(
                "Per trigger and in total: fired (flows_started + failed), matched, flows_started, skipped, failed, last_fired_at. " +
                "Filters organization_id and bot_id as for the list.")
            .Produces<TriggerStatisticsResponse>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);

        triggers.MapGet("/bot/{bot_id:long}", async ([FromRoute(Name = "bot_id")] long botId, IClusterClient cluster) =>
                TypedResults.Ok((await cluster.GetGrain<ITriggerSetGrain>(botId).ListAsync()).Select(TriggerResponse.From).ToArray()))
            .RequireOrganizationPermission(TriggersRead, BotAccess.OfRouteBot)
            .WithName("Triggers_ListForBot")
            .WithSummary("The triggers of a bot")
            .Produces<TriggerResponse[]>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        triggers.MapOptKeywordEndpoints();
        triggers.MapTriggerRunEndpoints();

        var trigger = triggers.MapGroup("/{trigger_id:long}");
        trigger.MapGet("", async ([FromRoute(Name = "trigger_id")] long triggerId, HttpContext http, IClusterClient cluster) =>
                await TriggerAccess.TriggerSet(http, cluster).GetAsync(triggerId) is { } t ? TypedResults.Ok(TriggerResponse.From(t)) : NotFound())
            .RequireOrganizationPermission(TriggersRead, TriggerAccess.OfRouteTrigger)
            .WithName("Triggers_Get")
            .WithSummary("Get a trigger")
            .Produces<TriggerResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        trigger.MapPut("", async ([FromRoute(Name = "trigger_id")] long triggerId, Body<UpdateTriggerRequest> body, HttpContext http, IClusterClient cluster) =>
            {
                var set = TriggerAccess.TriggerSet(http, cluster);
                return await set.GetAsync(triggerId) is not { } current
                    ? NotFound()
                    : (await set.UpdateAsync(triggerId, body.Value.Apply(current.Definition))).ToHttp(t => TypedResults.Ok(TriggerResponse.From(t)));
            })
            .RequireOrganizationPermission(TriggersWrite, TriggerAccess.OfRouteTrigger)
            .WithName("Triggers_Update")
            .WithSummary("Update a trigger (partial)")
            .WithDescription("Absent or null fields are unchanged; bot_id and trigger_type cannot change. The result is checked as on create.")
            .Produces<TriggerResponse>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);

        trigger.MapDelete("", async ([FromRoute(Name = "trigger_id")] long triggerId, HttpContext http, IClusterClient cluster) =>
                (await TriggerAccess.TriggerSet(http, cluster).DeleteAsync(triggerId)).ToHttp(_ => TypedResults.NoContent()))
            .RequireOrganizationPermission(TriggersWrite, TriggerAccess.OfRouteTrigger)
            .WithName("Triggers_Delete")
            .WithSummary("Delete a trigger")
            .WithDescription("It stops at once; its statistics are gone from the lists, its log lines expire with the retention.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);

        foreach (var (verb, active) in new[] { ("activate", true), ("deactivate", false) })
        {
            trigger.MapPost("/" + verb, async ([FromRoute(Name = "trigger_id")] long triggerId, HttpContext http, IClusterClient cluster) =>
                    (await TriggerAccess.TriggerSet(http, cluster).SetActiveAsync(triggerId, active)).ToHttp(t => TypedResults.Ok(TriggerResponse.From(t))))
                .RequireOrganizationPermission(TriggersWrite, TriggerAccess.OfRouteTrigger)
                .WithName(active ? "Triggers_Activate" : "Triggers_Deactivate")
                .WithSummary(active ? "Activate a trigger" : "Deactivate a trigger")
                .WithDescription(active ? "422 when its flow no longer has a published version of this bot." : "It stops matching and firing at once.")
                .Produces<TriggerResponse>()
                .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
                .ProducesProblem(StatusCodes.Status404NotFound);
        }

        trigger.MapPost("/test", async ([FromRoute(Name = "trigger_id")] long triggerId, Body<TestTriggerRequest> body, HttpContext http, IClusterClient cluster) =>
                (await TriggerAccess.TriggerSet(http, cluster).TestAsync(triggerId, body.Value.TestMessage!))
                    .ToHttp(r => TypedResults.Ok(TriggerTestResponse.From(triggerId, body.Value.TestMessage!, r))))
            .RequireOrganizationPermission(TriggersRead, TriggerAccess.OfRouteTrigger)
            .WithName("Triggers_Test")
            .WithSummary("Test a message against a trigger")
            .WithDescription(
                "Changes nothing. matched / matched_keyword / match_type: whether this trigger matches test_message; would_run: what the " +
                "bot would do with it as a whole (opt_out, opt_in, keyword_trigger with would_run_trigger_id, default_flow with " +
                "would_run_flow_id, or nothing), for a contact with no execution waiting for a reply.")
            .Produces<TriggerTestResponse>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);

        trigger.MapGet("/logs", async ([FromRoute(Name = "trigger_id")] long triggerId, HttpContext http, IClusterClient cluster) =>
            {
                if (!Paging.TryParse(http.Request, out var paging, out var problem))
                {
                    return problem!;
                }

                var page = await cluster.GetGrain<ITriggerQueryGrain>(0).LogsAsync(triggerId, paging.Limit, paging.Offset);
                ContactAccess.SetTotal(http, page.Total);
                return TypedResults.Ok(page.Items.Select(TriggerLogResponse.From).ToArray());
            })
            .RequireOrganizationPermission(TriggersRead, TriggerAccess.OfRouteTrigger)
            .WithPaging()
            .WithName("Triggers_Logs")
            .WithSummary("A trigger's log")
            .WithDescription(
                "Newest first, paged with limit (1–200, default 50) and offset; the total is in X-Total-Count. Each line: event (matched, " +
                "started, skipped, failed), contact_phone, matched_keyword, execution_id, detail. Kept TRIGGER_LOG_RETENTION_DAYS (90) days.")
            .Produces<TriggerLogResponse[]>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static void ValidateListFilters(HttpContext http, ValidationErrors errors)
    {
        var type = http.Request.Query["trigger_type"].ToString();
        if (type.Length > 0 && !TriggerTypes.Contains(type))
        {
            errors.Add("trigger_type", "Must be keyword, event or schedule.");
        }

        var active = http.Request.Query["is_active"].ToString();
        if (active.Length > 0 && active is not ("true" or "false"))
        {
            errors.Add("is_active", "Must be true or false.");
        }
    }

    private static string? TypeFilter(HttpContext http) => http.Request.Query["trigger_type"].ToString() is { Length: > 0 } t ? t : null;

    private static bool? ActiveFilter(HttpContext http) => http.Request.Query["is_active"].ToString() switch
    {
        "true" => true,
        "false" => false,
        _ => null,
    };

    private static IResult NotFound() => TypedResults.Problem("Trigger not found.", statusCode: StatusCodes.Status404NotFound, title: "Not found.");
}
