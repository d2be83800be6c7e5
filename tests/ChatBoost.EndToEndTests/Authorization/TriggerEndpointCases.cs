using System.Net;
using System.Runtime.CompilerServices;
using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>
/// The Automation Triggers rows of the authorization matrix (triggers.read / triggers.write in the organization that
/// owns the trigger's bot). Rows with a setup get a fresh scene per caller and a keyword trigger of their own.
/// </summary>
public static class TriggerEndpointCases
{
    private static readonly ConditionalWeakTable<MatrixScene, StrongBox<long>> Triggers = new();
    private static readonly ConditionalWeakTable<MatrixScene, StrongBox<long>> Runs = new();

    public static IEnumerable<EndpointCase> All()
    {
        yield return new("POST /triggers/",
            s => (HttpMethod.Post, "/triggers/", KeywordBody(s)), Expect.Writers(HttpStatusCode.Created), Mutates: true, Setup: s => s.CreatePublishedFlowAsync());
        yield return new("GET /triggers/", _ => (HttpMethod.Get, "/triggers/", null), Expect.AnyUser());
        yield return new("GET /triggers/?organization_id",
            s => (HttpMethod.Get, $"/triggers/?organization_id={s.OrganizationId}&trigger_type=keyword&is_active=true", null), Expect.AnyMember());
        yield return new("GET /triggers/?bot_id",
            s => (HttpMethod.Get, $"/triggers/?bot_id={s.BotId}", null), Expect.AnyMember(), Setup: CreateTriggerAsync);
        yield return new("GET /triggers/statistics", _ => (HttpMethod.Get, "/triggers/statistics", null), Expect.AnyUser());
        yield return new("GET /triggers/statistics?bot_id",
            s => (HttpMethod.Get, $"/triggers/statistics?bot_id={s.BotId}", null), Expect.AnyMember(), Setup: CreateTriggerAsync);
        yield return new("GET /triggers/bot/{bot_id}",
            s => (HttpMethod.Get, $"/triggers/bot/{s.BotId}", null), Expect.AnyMember(), Setup: CreateTriggerAsync);
        yield return new("GET /triggers/bot/{bot_id}/opt-keywords",
            s => (HttpMethod.Get, $"/triggers/bot/{s.BotId}/opt-keywords", null), Expect.AnyMember(), Setup: s => s.CreatePublishedFlowAsync());
        yield return new("PUT /triggers/bot/{bot_id}/opt-keywords",
            s => (HttpMethod.Put, $"/triggers/bot/{s.BotId}/opt-keywords", new { opt_out_keywords = new[] { "STOP", "HALT" } }), Expect.Writers(), Mutates: true,
            Setup: s => s.CreatePublishedFlowAsync());
        yield return new("GET /triggers/{trigger_id}",
            s => (HttpMethod.Get, $"/triggers/{TriggerId(s)}", null), Expect.AnyMember(), Setup: CreateTriggerAsync);
        yield return new("PUT /triggers/{trigger_id}",
            s => (HttpMethod.Put, $"/triggers/{TriggerId(s)}", new { name = "Renamed", priority = 5 }), Expect.Writers(), Mutates: true, Setup: CreateTriggerAsync);
        yield return new("DELETE /triggers/{trigger_id}",
            s => (HttpMethod.Delete, $"/triggers/{TriggerId(s)}", null), Expect.Writers(HttpStatusCode.NoContent), Mutates: true, Setup: CreateTriggerAsync);
        yield return new("POST /triggers/{trigger_id}/activate",
            s => (HttpMethod.Post, $"/triggers/{TriggerId(s)}/activate", null), Expect.Writers(), Mutates: true, Setup: CreateTriggerAsync);
        yield return new("POST /triggers/{trigger_id}/deactivate",
            s => (HttpMethod.Post, $"/triggers/{TriggerId(s)}/deactivate", null), Expect.Writers(), Mutates: true, Setup: CreateTriggerAsync);
        yield return new("POST /triggers/{trigger_id}/test",
            s => (HttpMethod.Post, $"/triggers/{TriggerId(s)}/test", new { test_message = "hello there" }), Expect.AnyMember(), Setup: CreateTriggerAsync);
        yield return new("GET /triggers/{trigger_id}/logs",
            s => (HttpMethod.Get, $"/triggers/{TriggerId(s)}/logs?limit=10", null), Expect.AnyMember(), Setup: CreateTriggerAsync);
        foreach (var row in RunCases())
        {
            yield return row;
        }
    }

    private static IEnumerable<EndpointCase> RunCases()
    {
        yield return new("POST /triggers/{trigger_id}/runs",
            s => (HttpMethod.Post, $"/triggers/{TriggerId(s)}/runs", null), Expect.Writers(HttpStatusCode.Created), Mutates: true, Setup: CreateScheduleTriggerAsync);
        yield return new("GET /triggers/{trigger_id}/runs",
            s => (HttpMethod.Get, $"/triggers/{TriggerId(s)}/runs?limit=10", null), Expect.AnyMember(), Setup: CreateRunAsync);
        yield return new("GET /triggers/runs/{run_id}",
            s => (HttpMethod.Get, $"/triggers/runs/{RunId(s)}", null), Expect.AnyMember(), Setup: CreateRunAsync);
        // The scene's bot has no contacts, so its run has completed by the time the row runs: writers get past the
        // permission check to the run's own answer (409, not running); the others are refused before it.
        yield return new("POST /triggers/runs/{run_id}/cancel",
            s => (HttpMethod.Post, $"/triggers/runs/{RunId(s)}/cancel", null), Expect.Writers(HttpStatusCode.Conflict), Setup: CreateRunAsync);
    }

    /// <summary>A published flow and a daily schedule trigger on it, created by the owner.</summary>
    private static async Task CreateScheduleTriggerAsync(MatrixScene s)
    {
        await s.CreatePublishedFlowAsync();
        var (status, trigger, _) = await s.System.Http.PostJsonAsync("/triggers/", new
        {
            name = "Matrix schedule",
            bot_id = s.BotId,
            flow_id = s.FlowId,
            trigger_type = "schedule",
            schedule_type = "daily",
            schedule_time = "09:00",
            schedule_timezone = "Europe/Berlin",
        }, s.OwnerToken);
        Assert.True(status == HttpStatusCode.Created, $"create schedule trigger: {status} {trigger?.ToJsonString()}");
        Triggers.AddOrUpdate(s, new StrongBox<long>(trigger!["id"]!.GetValue<long>()));
    }

    /// <summary>A schedule trigger and a run of it, started by the owner.</summary>
    private static async Task CreateRunAsync(MatrixScene s)
    {
        await CreateScheduleTriggerAsync(s);
        var (status, run, _) = await s.System.Http.PostJsonAsync($"/triggers/{TriggerId(s)}/runs", null, s.OwnerToken);
        Assert.True(status == HttpStatusCode.Created, $"run now: {status} {run?.ToJsonString()}");
        Runs.AddOrUpdate(s, new StrongBox<long>(run!["id"]!.GetValue<long>()));
        for (var i = 0; i < 100 && (await s.System.Http.GetJsonAsync($"/triggers/runs/{RunId(s)}", s.OwnerToken)).Body?["status"]?.GetValue<string>() == "running"; i++)
        {
            await Task.Delay(100);
        }
    }

    private static long RunId(MatrixScene s) => Runs.TryGetValue(s, out var box) ? box.Value : throw new InvalidOperationException("No run set up.");

    private static object KeywordBody(MatrixScene s) => new
    {
        name = "Matrix trigger",
        bot_id = s.BotId,
        flow_id = s.FlowId,
        trigger_type = "keyword",
        keywords = new[] { "hi", "hello" },
        match_type = "exact",
        case_sensitive = false,
        priority = 10,
    };

    /// <summary>A published flow and a keyword trigger on it, created by the owner.</summary>
    private static async Task CreateTriggerAsync(MatrixScene s)
    {
        await s.CreatePublishedFlowAsync();
        var (status, trigger, _) = await s.System.Http.PostJsonAsync("/triggers/", KeywordBody(s), s.OwnerToken);
        Assert.True(status == HttpStatusCode.Created, $"create trigger: {status} {trigger?.ToJsonString()}");
        Triggers.AddOrUpdate(s, new StrongBox<long>(trigger!["id"]!.GetValue<long>()));
    }

    private static long TriggerId(MatrixScene s) => Triggers.TryGetValue(s, out var box) ? box.Value : throw new InvalidOperationException("No trigger set up.");
}
