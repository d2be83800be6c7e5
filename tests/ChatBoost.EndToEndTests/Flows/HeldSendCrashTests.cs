using System.Globalization;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Flows;

/// <summary>
/// The silo killed during a send whose answer Meta (the fake) holds: that one message is <c>in_doubt</c>, named in the
/// execution's log, and not resent; the flow goes on to its end. The kill while replies wait for their pacing slot is
/// <see cref="CrashRecoveryTests"/>.
/// </summary>
[Collection(HeldSendCrashCollection.Name)]
public sealed class HeldSendCrashTests : IAsyncLifetime
{
    private const string AppSecret = "held-send-crash-app-secret";
    private const string AccessToken = "EAAB-held-send-crash-token-0001";
    private const int Rate = 5;

    private CrashScene _scene = null!;

    public async Task InitializeAsync() => _scene = await CrashScene.StartAsync(AppSecret, Rate);

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Fact]
    public async Task AKillDuringASendHeldAtMeta_LeavesThatMessageInDoubt_NamedInTheLog_AndNeverResent()
    {
        var (botId, phoneNumberId) = await _scene.ReplyingBotAsync("held-kill-owner", AccessToken);
        var phone = "4917" + Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
        await _scene.FakeAsync("/_fake/hold-sends", new { count = 1 });
        await _scene.InboundAsync(phoneNumberId, phone);
        await UntilAsync(async () => JsonNode.Parse(await _scene.Fake.GetStringAsync(new Uri("/_fake/held-sends", UriKind.Relative)))!["held"]!.GetValue<int>() == 1,
            "the reply to reach the fake and be held there");

        // Meta has the message; its answer never reaches the silo, which dies with the send in flight.
        await _scene.System.KillSiloAsync(0);
        await _scene.FakeAsync("/_fake/release-sends", new { });
        _scene.System.StartSilo();

        // The step is re-entered from its row (the sweeper finds it running): its outbox row says "sending", so the send is
        // in doubt — not attempted again — and the flow goes on to its end.
        await using var db = await _scene.System.OpenDatabaseAsync();
        await UntilAsync(async () => await CrashScene.CountAsync(db, "SELECT count(*) FROM flow_executions WHERE bot_id = @b AND status = 'completed'", botId) == 1,
            "the execution to complete after the restart");
        Assert.Equal("in_doubt", Assert.Single(await CrashScene.OutboxAsync(db, botId)).Value);
        Assert.Contains("message_in_doubt", await CrashScene.ExecutionLogAsync(db, botId, phone), StringComparison.Ordinal);

        // Exactly the one attempt reached Meta, before the kill.
        var requests = JsonNode.Parse(await _scene.Fake.GetStringAsync(new Uri($"/_fake/requests?phone_number_id={phoneNumberId}&limit=100", UriKind.Relative)))!["requests"]!
            .AsArray().Count(r => r!["to"]?.GetValue<string>() == phone);
        Assert.Equal(1, requests);
    }

    private static Task UntilAsync(Func<Task<bool>> condition, string what) => Eventually.UntilAsync(condition, what, TimeSpan.FromMinutes(3));
}

