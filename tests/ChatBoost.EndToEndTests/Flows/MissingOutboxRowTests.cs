using System.Globalization;
using ChatBoost.EndToEndTests.Harness;
using Npgsql;

namespace ChatBoost.EndToEndTests.Flows;

/// <summary>
/// A send whose outbox row is gone when it is to be marked <c>sending</c> was never attempted (every attempt is recorded
/// <c>sending</c> first): it must not be reported in doubt — which would complete its execution with no row and no reply —
/// but tried again, and sent once. The rows are deleted while their sends wait for a pacing slot.
/// </summary>
public sealed class MissingOutboxRowTests : IAsyncLifetime
{
    private const string AppSecret = "missing-outbox-row-app-secret";
    private const string AccessToken = "EAAB-missing-outbox-row-token-01";
    private const int Rate = 5;
    private const int Customers = 25;

    private CrashScene _scene = null!;

    public async Task InitializeAsync() => _scene = await CrashScene.StartAsync(AppSecret, Rate);

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Fact]
    public async Task ASendWhoseRowVanishedBeforeItsAttempt_IsSentOnce_AndNeverInDoubt()
    {
        var (botId, phoneNumberId) = await _scene.ReplyingBotAsync("missing-row-owner", AccessToken);
        var phones = Enumerable.Range(0, Customers).Select(i => "4918" + (20_000_000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        await Task.WhenAll(phones.Select(phone => _scene.InboundAsync(phoneNumberId, phone)));

        // At 5 replies a second most replies are still queued: those granted a slot within the flow's 2 s wait for it inside
        // the sender (the path under test), the others wait for their retry. Their rows disappear.
        await using var db = await _scene.System.OpenDatabaseAsync();
        var queued = "SELECT count(*) FROM messages WHERE bot_id = @b AND direction = 'outbound' AND status = 'queued'";
        var recorded = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await CrashScene.CountAsync(db, queued, botId) < 5 && DateTime.UtcNow < recorded)
        {
            await Task.Delay(50); // the flows run after the acknowledgements: wait for their replies to be recorded
        }

        var vanished = new List<string>();
        await using (var delete = new NpgsqlCommand(
            "DELETE FROM messages WHERE bot_id = @b AND direction = 'outbound' AND status = 'queued' RETURNING contact_wa_id", db))
        {
            delete.Parameters.AddWithValue("b", botId);
            await using var reader = await delete.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                vanished.Add(reader.GetString(0));
            }
        }

        Assert.True(vanished.Count > 0, "no reply was still waiting for its slot: the test proves nothing");

        await Eventually.UntilAsync(
            async () => await CrashScene.CountAsync(db, "SELECT count(*) FROM flow_executions WHERE bot_id = @b AND status <> 'running'", botId) >= Customers,
            "every execution's end", TimeSpan.FromMinutes(2));

        Assert.Equal(Customers, await CrashScene.CountAsync(db, "SELECT count(*) FROM flow_executions WHERE bot_id = @b AND status = 'completed'", botId));
        var outbox = await CrashScene.OutboxAsync(db, botId);
        var sends = await _scene.SendsPerRecipientAsync(phoneNumberId);
        foreach (var phone in phones)
        {
            Assert.Equal("sent", outbox.GetValueOrDefault(phone));
            Assert.Equal(1, sends.GetValueOrDefault(phone));
            Assert.DoesNotContain("message_in_doubt", await CrashScene.ExecutionLogAsync(db, botId, phone), StringComparison.Ordinal);
        }
    }
}
