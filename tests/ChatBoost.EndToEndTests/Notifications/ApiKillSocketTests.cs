using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>
/// Two API processes, one of them killed with SIGKILL while a client's socket is on it: no close frame, no reconnect hint,
/// just a dead connection. The client reconnects to the other process with <c>after=</c> the last position it saw and
/// gets what was made meanwhile, each once, in order, then the live ones; a socket of the same user on the surviving
/// process never notices.
/// </summary>
public sealed class ApiKillSocketTests(TwoApiNotificationFixture fixture) : IClassFixture<TwoApiNotificationFixture>
{
    private ChatBoostSystem System => fixture.System;

    [Fact]
    public async Task AfterTheSocketsApiIsKilledTheClientReconnectsToTheOtherAndMissesNothing()
    {
        var user = await System.Http.NewUserAsync("api-kill");
        await using var survivor = await NotificationSocket.ConnectAsync(System, user.Token);
        var onKilled = await NotificationSocket.ConnectAsync(System, user.Token, via: fixture.SecondApi);
        var before = await fixture.TestNotificationAsync(user.Token, "before");
        Assert.Equal(before, (await onKilled.NextNotificationAsync())["id"]!.GetValue<long>());
        Assert.Equal(before, (await survivor.NextNotificationAsync())["id"]!.GetValue<long>());

        await System.KillApiAsync(1);
        Assert.Empty(await onKilled.ClosedAsync());
        await onKilled.DisposeAsync();
        List<long> meanwhile = [];
        for (var i = 0; i < 3; i++)
        {
            meanwhile.Add(await fixture.TestNotificationAsync(user.Token, $"meanwhile {i}"));
        }

        await using var reconnected = await NotificationSocket.ConnectAsync(System, user.Token, after: before);
        var live = await fixture.TestNotificationAsync(user.Token, "live");
        Assert.Equal([.. meanwhile, live], await reconnected.NotificationIdsAsync(4));
        Assert.Equal([.. meanwhile, live], await survivor.NotificationIdsAsync(4));
    }
}
