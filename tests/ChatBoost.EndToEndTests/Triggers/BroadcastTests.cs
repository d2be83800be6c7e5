using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Flows;
using ChatBoost.EndToEndTests.Harness;
using Npgsql;
using static ChatBoost.EndToEndTests.Flows.FlowEngineFixture;

namespace ChatBoost.EndToEndTests.Triggers;

/// <summary>A broadcast run with real processes: who is skipped and why, who gets the message, the progress and cancel.</summary>
[Collection(FlowEngineCollection.Name)]
public class BroadcastTests(FlowEngineFixture fixture)
{
    [Fact]
    public async Task StopOptsTheContactOut_AndALaterBroadcastSkipsThem_CountedByReason()
    {
        var (botId, phoneNumberId) = await fixture.NewBotAsync("Broadcast bot");
        var flowId = await fixture.NewFlowAsync(botId, "Spring news");
        var node = await fixture.NodeAsync(flowId, "send_message", BotScenario.Text("spring news"));
        await fixture.PublishAsync(flowId, node);

        var (writer, stopper, silent) = (NewPhone(), NewPhone(), NewPhone());
        await fixture.InboundAsync(writer, new JsonObject { ["text"] = "hello" }, phoneNumberId, "Writer");
        await fixture.InboundAsync(stopper, new JsonObject { ["text"] = "STOP" }, phoneNumberId, "Stopper");
        Assert.False(await PollAsync(() => OptedInAsync(botId, stopper), optedIn => optedIn is false) ?? true);
        Assert.True(await PollAsync(() => OptedInAsync(botId, writer), optedIn => optedIn is true));
        await using (var db = await fixture.System.OpenDatabaseAsync())
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO contacts (bot_id, organization_id, wa_id, created_at, inbound_cursor) SELECT @b, organization_id, @w, now(), 0 FROM bots WHERE id = @b", db))
        {
            insert.Parameters.AddWithValue("b", botId);
            insert.Parameters.AddWithValue("w", silent); // never wrote: outside the 24-hour window
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        var (created, trigger, _) = await fixture.Http.PostJsonAsync("/triggers/", new
        {
            name = "Daily news",
            bot_id = botId,
            flow_id = flowId,
            trigger_type = "schedule",
            schedule_type = "daily",
            schedule_time = "09:00",
            schedule_timezone = "Europe/Berlin",
        }, fixture.OwnerToken);
        Assert.True(created == HttpStatusCode.Created, $"create trigger: {created} {trigger?.ToJsonString()}");
        var triggerId = trigger!["id"]!.GetValue<long>();
        var (started, run, _) = await fixture.Http.PostJsonAsync($"/triggers/{triggerId}/runs", null, fixture.OwnerToken);
        Assert.True(started == HttpStatusCode.Created, $"run now: {started} {run?.ToJsonString()}");
        var runId = run!["id"]!.GetValue<long>();

        var done = await PollAsync(async () => (await fixture.Http.GetJsonAsync($"/triggers/runs/{runId}", fixture.OwnerToken)).Body!,
            r => r["status"]!.GetValue<string>() == "completed" && r["progress"]!["sent"]!.GetValue<long>() == 1);
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        var progress = done["progress"]!;
        Assert.Equal(3, progress["total"]!.GetValue<long>());
        Assert.Equal(3, progress["processed"]!.GetValue<long>());
        Assert.Equal(1, progress["started"]!.GetValue<long>());
        Assert.Equal(1, progress["skipped"]!["opted_out"]!.GetValue<long>());
        Assert.Equal(1, progress["skipped"]!["outside_window"]!.GetValue<long>());
        Assert.Equal(1, progress["sent"]!.GetValue<long>());

        Assert.Equal(["spring news"], await PollAsync(() => fixture.SentTextsAsync(phoneNumberId, writer), s => s.Length >= 1));
        Assert.Empty(await fixture.SentTextsAsync(phoneNumberId, stopper));
        Assert.Empty(await fixture.SentTextsAsync(phoneNumberId, silent));

        var (_, runs, _) = await fixture.Http.GetJsonAsync($"/triggers/{triggerId}/runs", fixture.OwnerToken);
        Assert.Equal(runId, Assert.Single(runs!.AsArray())!["id"]!.GetValue<long>());
        var (cancel, problem, _) = await fixture.Http.PostJsonAsync($"/triggers/runs/{runId}/cancel", null, fixture.OwnerToken);
        Assert.True(cancel == HttpStatusCode.Conflict, $"cancel a completed run: {cancel} {problem?.ToJsonString()}");
    }

    private async Task<bool?> OptedInAsync(long botId, string phone)
    {
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand("SELECT opted_in FROM contacts WHERE bot_id = @b AND wa_id = @w AND inbound_cursor > 0", db);
        query.Parameters.AddWithValue("b", botId);
        query.Parameters.AddWithValue("w", phone);
        return await query.ExecuteScalarAsync() as bool?;
    }
}
