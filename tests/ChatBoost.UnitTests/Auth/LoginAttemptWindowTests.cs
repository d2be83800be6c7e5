using ChatBoost.Grains.Auth;

namespace ChatBoost.UnitTests.Auth;

public class LoginAttemptWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    [Fact]
    public void ReservesUntilTheLimitThenRefusesUntilTheOldestAgesOut()
    {
        var attempts = new List<LoginAttempt>();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(i + 1, LoginAttemptWindow.TryReserve(attempts, i + 1, T0.AddMinutes(i), 5, Window).Ticket);
        }

        var refused = LoginAttemptWindow.TryReserve(attempts, 6, T0.AddMinutes(4), 5, Window);
        Assert.Null(refused.Ticket);
        Assert.Equal(TimeSpan.FromMinutes(11), refused.RetryAfter);
        Assert.Equal(5, attempts.Count);
        Assert.NotNull(LoginAttemptWindow.TryReserve(attempts, 6, T0.AddMinutes(15), 5, Window).Ticket);
    }

    [Fact]
    public void AReservationCountsUntilItIsWithdrawn()
    {
        // Reserved attempts whose passwords are still being checked hold their places: the sixth is refused.
        var attempts = new List<LoginAttempt>();
        var tickets = Enumerable.Range(1, 5).Select(t => LoginAttemptWindow.TryReserve(attempts, t, T0, 5, Window).Ticket!.Value).ToList();
        Assert.Null(LoginAttemptWindow.TryReserve(attempts, 6, T0, 5, Window).Ticket);

        Assert.True(LoginAttemptWindow.Withdraw(attempts, tickets[2], forgive: false));
        Assert.Equal(4, attempts.Count);
        Assert.DoesNotContain(attempts, a => a.Ticket == tickets[2]);
        Assert.False(LoginAttemptWindow.Withdraw(attempts, tickets[2], forgive: false));
        Assert.NotNull(LoginAttemptWindow.TryReserve(attempts, 6, T0, 5, Window).Ticket);
    }

    [Fact]
    public void ForgivingClearsTheEarlierFailures()
    {
        var attempts = new List<LoginAttempt>();
        for (var t = 1; t <= 3; t++)
        {
            LoginAttemptWindow.TryReserve(attempts, t, T0, 5, Window);
        }

        Assert.True(LoginAttemptWindow.Withdraw(attempts, 3, forgive: true));
        Assert.Empty(attempts);
    }

    [Fact]
    public void TheListStaysBoundedWhateverTheLimit()
    {
        var attempts = new List<LoginAttempt>();
        for (var t = 1; t <= 5_000; t++)
        {
            LoginAttemptWindow.TryReserve(attempts, t, T0, int.MaxValue, Window);
        }

        Assert.Equal(LoginAttemptWindow.HardCap, attempts.Count);
    }
}
