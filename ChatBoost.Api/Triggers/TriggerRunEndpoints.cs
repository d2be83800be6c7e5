using ChatBoost.Api.Auth;
using ChatBoost.Api.Contacts;
using ChatBoost.Api.Http;
using ChatBoost.Api.Organizations;
using ChatBoost.Grains.Interfaces.Triggers;
using Microsoft.AspNetCore.Mvc;
using static ChatBoost.Grains.Interfaces.Organizations.Permissions;

namespace ChatBoost.Api.Triggers;

/// <summary>
/// Broadcast runs of schedule triggers: run one now, list a trigger's runs, read a run's progress, cancel it. Permissions
/// as for the trigger itself (triggers.read / triggers.write in the organization of the trigger's bot); a run's
/// organization is the one stored with it.
/// </summary>
public static class TriggerRunEndpoints
{
    public static void MapTriggerRunEndpoints(this RouteGroupBuilder triggers)
    {
        ArgumentNullException.ThrowIfNull(triggers);
        var trigger = triggers.MapGroup("/{trigger_id:long}/runs");
        trigger.MapPost("", async ([FromRoute(Name = "trigger_id")] long triggerId, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<ITriggerScheduleGrain>(triggerId).RunNowAsync(TriggerAccess.Address(http).BotId, CurrentUser.Get(http).Id))
                    .ToHttp(r => TypedResults.Created($"/triggers/runs/{r.Id}", TriggerRunResponse.From(r))))
            .RequireOrganizationPermission(TriggersWrite, TriggerAccess.OfRouteTrigger)
            .WithName("Triggers_RunNow")
            .WithSummary("Run a schedule trigger now")
            .WithDescription(
                "Starts a broadcast run of the trigger's flow for its audience (every opted-in contact of the bot, or audience.attributes), " +
                "whatever its schedule and also when it is inactive. The run walks the audience in contact id order at the number's " +
                "WHATSAPP_RATE_PER_SECOND, skips opted-out contacts and — when the flow's first send is not a template — contacts outside " +
                "the 24-hour window, and starts each contact's execution once. 422 (trigger_type) for a keyword or event trigger.")
            .Produces<TriggerRunResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);

        trigger.MapGet("", async ([FromRoute(Name = "trigger_id")] long triggerId, HttpContext http, IClusterClient cluster) =>
            {
                if (!Paging.TryParse(http.Request, out var paging, out var problem))
                {
                    return problem!;
                }

                var page = await cluster.GetGrain<ITriggerQueryGrain>(0).RunsAsync(triggerId, paging.Limit, paging.Offset);
                ContactAccess.SetTotal(http, page.Total);
                return TypedResults.Ok(page.Items.Select(TriggerRunResponse.From).ToArray());
            })
            .RequireOrganizationPermission(TriggersRead, TriggerAccess.OfRouteTrigger)
            .WithPaging()
            .WithName("Triggers_Runs")
            .WithSummary("A trigger's broadcast runs")
            .WithDescription("Newest first, paged with limit (1–200, default 50) and offset; the total is in X-Total-Count. Each with its progress.")
            .Produces<TriggerRunResponse[]>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var run = triggers.MapGroup("/runs/{run_id:long}");
        // run_id is bound (and unused: the access filter has read the run) so that the OpenAPI document declares it.
        run.MapGet("", ([FromRoute(Name = "run_id")] long runId, HttpContext http) => TypedResults.Ok(TriggerRunResponse.From(TriggerAccess.Run(http))))
            .RequireOrganizationPermission(TriggersRead, TriggerAccess.OfRouteRun)
            .WithName("Triggers_GetRun")
            .WithSummary("A broadcast run and its progress")
            .WithDescription(
                "Readable while it runs: total (the audience when the run started), processed, started, skipped by reason (opted_out, " +
                "outside_window, active_execution, no_contact), sent (messages of its executions Meta accepted), failed (starts that " +
                "failed and messages Meta refused). status: running, completed, cancelled or failed.")
            .Produces<TriggerRunResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        run.MapPost("/cancel", async ([FromRoute(Name = "run_id")] long runId, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<ITriggerRunGrain>(runId).CancelAsync(CurrentUser.Get(http).Id)).ToHttp(r => TypedResults.Ok(TriggerRunResponse.From(r))))
            .RequireOrganizationPermission(TriggersWrite, TriggerAccess.OfRouteRun)
            .WithName("Triggers_CancelRun")
            .WithSummary("Cancel a broadcast run")
            .WithDescription("No contact starts after the answer; executions already started go on. 409 when the run is not running.")
            .Produces<TriggerRunResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }
}

/// <summary>A run's counts: <c>skipped</c> by reason; <c>sent</c>/<c>failed</c> count the executions' messages at Meta.</summary>
public sealed record TriggerRunProgressResponse(long? Total, long Processed, long Started, IReadOnlyDictionary<string, long> Skipped, long Sent, long Failed);

/// <summary>A broadcast run of a schedule trigger.</summary>
public sealed record TriggerRunResponse(
    long Id, long TriggerId, long BotId, long FlowId, string Source, string Status, DateTimeOffset? Occurrence, TriggerRunProgressResponse Progress,
    DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, string? Detail)
{
    public static TriggerRunResponse From(TriggerRunView r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Id, r.TriggerId, r.BotId, r.FlowId, r.Source, r.Status, r.Occurrence,
            new TriggerRunProgressResponse(r.Total, r.Processed, r.Started, r.Skipped, r.Sent, r.Failed), r.CreatedAt, r.FinishedAt, r.Detail);
    }
}
