using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>
/// Observers are not durable: an API restart closes the sockets (1012, with a reconnect hint), a silo crash drops the inbox's subscriptions. Either way
/// the notifications made meanwhile reach the client after it reconnects with <c>after=</c>, each once, in order (and
/// after the silo crash, the socket that stayed open gets them too, from the renewed subscription's replay).
/// </summary>
[Collection(NotificationRecoveryCollection.Name)]
public sealed class NotificationRecoveryTests(NotificationSystemFixture fixture) : IClassFixture<NotificationSystemFixture>
{
    private ChatBoostSystem System => fixture.System;

    [Fact]
    public async Task AfterAnApiRestartTheReconnectedClientGetsWhatWasMadeMeanwhileOnceInOrder()
    {
        var user = await System.Http.NewUserAsync("api-restart");
        var socket = await NotificationSocket.ConnectAsync(System, user.Token);
        await fixture.TestNotificationAsync(user.Token, "before");
        var seen = (await socket.NextNotificationAsync())["id"]!.GetValue<long>();

        await System.RestartApiAsync();
        await socket.ClosedAsync();
        // A graceful stop closes the socket with 1012 (service restart) and says how to reconnect.
        Assert.Equal((System.Net.WebSockets.WebSocketCloseStatus)1012, socket.CloseStatus);
        Assert.Contains("after=", socket.CloseDescription, StringComparison.Ordinal);
        await socket.DisposeAsync();
        List<long> meanwhile = [];
        for (var i = 0; i < 3; i++)
        {
            meanwhile.Add(await fixture.TestNotificationAsync(user.Token, $"meanwhile {i}"));
        }

        await using var reconnected = await NotificationSocket.ConnectAsync(System, user.Token, after: seen);
        var live = await fixture.TestNotificationAsync(user.Token, "live");
        Assert.Equal([.. meanwhile, live], await reconnected.NotificationIdsAsync(4));
    }

    [Fact]
    public async Task AfterTheSiloIsKilledTheOpenSocketAndAReconnectBothGetWhatWasMadeMeanwhileOnceInOrder()
    {
        var user = await System.Http.NewUserAsync("silo-kill");
        await using var open = await NotificationSocket.ConnectAsync(System, user.Token);
        await fixture.TestNotificationAsync(user.Token, "before");
        var seen = (await open.NextNotificationAsync())["id"]!.GetValue<long>();

        await System.KillSiloAsync(0);
        System.StartSilo();
        List<long> meanwhile = [];
        for (var i = 0; i < 3; i++)
        {
            meanwhile.Add(await fixture.TestNotificationAsync(user.Token, $"meanwhile {i}"));
        }

        // A retried create may have been stored before its 503: every created id arrives, each once, in id order.
        var expected = meanwhile[^1];
        var healed = await IdsUntilAsync(open, expected);
        await using var reconnected = await NotificationSocket.ConnectAsync(System, user.Token, after: seen);
        var replayed = await IdsUntilAsync(reconnected, expected);

        foreach (var ids in new[] { healed, replayed })
        {
            Assert.Equal(ids.Order().Distinct(), ids);
            Assert.All(meanwhile, id => Assert.Contains(id, ids));
        }

        Assert.Equal(healed, replayed);
    }

    /// <summary>
    /// Reads until <paramref name="last"/>, with the patience of the crash tests: after a kill the open socket's stream
    /// renews only once the client reaches the new silo's gateway and its renewal call (bounded by the grain-call timeout)
    /// comes back.
    /// </summary>
    private static async Task<List<long>> IdsUntilAsync(NotificationSocket socket, long last)
    {
        List<long> ids = [];
        while (ids.Count == 0 || ids[^1] < last)
        {
            ids.Add((await socket.NextNotificationAsync(TimeSpan.FromMinutes(2)))["id"]!.GetValue<long>());
        }

        return ids;
    }
}
