namespace ChatBoost.EndToEndTests.Harness;

/// <summary>Waiting, in the end-to-end tests, for something the system does after it answered.</summary>
public static class Eventually
{
    /// <summary>Asks <paramref name="condition"/> every <paramref name="every"/> (250 ms) until it holds; fails the test after <paramref name="within"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan within, TimeSpan? every = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var until = DateTime.UtcNow + within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"{what} did not happen within {within.TotalSeconds} s");
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(250));
        }
    }
}
