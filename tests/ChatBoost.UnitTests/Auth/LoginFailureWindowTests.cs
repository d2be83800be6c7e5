using ChatBoost.Grains.Auth;

namespace ChatBoost.UnitTests.Auth;

public class LoginFailureWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    [Fact]
    public void AllowsUntilTheLimitThenBlocksUntilTheOldestFailureAgesOut()
    {
        var w = new LoginFailureWindow();
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(w.RetryAfter(T0.AddMinutes(i), 5, Window));
            w.RecordFailure(T0.AddMinutes(i), Window);
        }

        Assert.Equal(TimeSpan.FromMinutes(11), w.RetryAfter(T0.AddMinutes(4), 5, Window));
        Assert.Null(w.RetryAfter(T0.AddMinutes(15), 5, Window));
    }

    [Fact]
    public void ResetClearsTheCount()
    {
        var w = new LoginFailureWindow();
        for (var i = 0; i < 3; i++)
        {
            w.RecordFailure(T0, Window);
        }

        w.Reset();
        Assert.Null(w.RetryAfter(T0, 1, Window));
    }

    [Fact]
    public void MemoryStaysBoundedUnderAFlood()
    {
        var w = new LoginFailureWindow();
        for (var i = 0; i < 5_000; i++)
        {
            w.RecordFailure(T0, Window);
        }

        Assert.True(w.Count <= 1_000);
        Assert.NotNull(w.RetryAfter(T0, 5, Window));
    }
}
