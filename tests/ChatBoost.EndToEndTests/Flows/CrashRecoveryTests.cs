using System.Globalization;
using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Flows;

/// <summary>
/// The central promise, broken on purpose: 120 customers write to a bot whose default flow replies through a number paced at
/// 5 sends/s, every webhook is acknowledged, then the silo is killed with SIGKILL while most replies still wait for their
/// pacing slot. After a new silo starts, every customer has exactly one completed execution and at most one reply at the
/// fake Graph API; every reply that was not in flight at the kill arrives exactly once, and the ones that were are
/// <c>in_doubt</c> (never resent). The kill during a send whose answer Meta holds is <see cref="HeldSendCrashTests"/>.
/// </summary>
[Collection(CrashRecoveryCollection.Name)]
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private const string AppSecret = "crash-recovery-app-secret";
    private const string AccessToken = "EAAB-crash-recovery-token-0001";
    private const int Rate = 5;
    private const int Customers = 120;

    private CrashScene _scene = null!;

    public async Task InitializeAsync() => _scene = await CrashScene.StartAsync(AppSecret, Rate);

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Fact]
    public async Task AKilledSilo_LosesNoAcknowledgedMessage_AndSendsNoReplyTwice()
    {
        var (botId, phoneNumberId) = await _scene.ReplyingBotAsync("crash-owner", AccessToken);

        // 120 customers write; every webhook must be acknowledged.
        var phones = Enumerable.Range(0, Customers).Select(i => "4916" + (10_000_000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        using (var gate = new SemaphoreSlim(16))
        {
            await Task.WhenAll(phones.Select(async phone =>
            {
                await gate.WaitAsync();
                try
                {
                    await _scene.InboundAsync(phoneNumberId, phone);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        // Replies leave at 5/s: most are still waiting for their slot now. The machine dies.
        await _scene.System.KillSiloAsync(0);
        var beforeKill = await _scene.SendsPerRecipientAsync(phoneNumberId);
        Assert.True(beforeKill.Values.Sum() < Customers, "every reply went out before the kill: the test proves nothing");

        _scene.System.StartSilo();
        await using var db = await _scene.System.OpenDatabaseAsync();
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        long completed = 0;
        while (DateTime.UtcNow < until)
        {
            completed = await CrashScene.CountAsync(db, "SELECT count(*) FROM flow_executions WHERE bot_id = @b AND status = 'completed'", botId);
            if (completed == Customers)
            {
                break;
            }

            await Task.Delay(500);
        }

        Assert.Equal(Customers, completed);
        Assert.Equal(Customers, await CrashScene.CountAsync(db, "SELECT count(*) FROM flow_executions WHERE bot_id = @b", botId));
        Assert.Equal(Customers, await CrashScene.CountAsync(db, "SELECT count(DISTINCT contact_wa_id) FROM flow_executions WHERE bot_id = @b", botId));

        var sends = await _scene.SendsPerRecipientAsync(phoneNumberId);
        var outbox = await CrashScene.OutboxAsync(db, botId);
        Assert.Equal(Customers, outbox.Count);
        var inDoubt = outbox.Where(o => o.Value == "in_doubt").Select(o => o.Key).ToHashSet();
        foreach (var phone in phones)
        {
            var count = sends.GetValueOrDefault(phone);
            Assert.True(count <= 1, $"{phone} got {count} replies");
            if (!inDoubt.Contains(phone))
            {
                Assert.True(count == 1, $"{phone}: outbox {outbox.GetValueOrDefault(phone)}, {count} replies at the fake");
                Assert.Equal("sent", outbox[phone]);
            }
        }

        // Only what was in flight at the kill can be in doubt: at most a second's worth of sends at this rate.
        Assert.True(inDoubt.Count <= Rate, $"{inDoubt.Count} in doubt");
        foreach (var phone in inDoubt)
        {
            Assert.Contains("message_in_doubt", await CrashScene.ExecutionLogAsync(db, botId, phone), StringComparison.Ordinal);
        }
    }
}

