using System.Security.Cryptography;
using System.Text;
using ChatBoost.Grains.Interfaces.Auth;

namespace ChatBoost.GrainTests.Auth;

[Collection(ChatBoostClusterCollection.Name)]
public class AuthGrainTests(ChatBoostClusterFixture fixture)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task ParallelReservationsNeverPassTheLimitAndSurviveADeactivation()
    {
        var throttle = Grains.GetGrain<ILoginThrottleGrain>("pair:test|" + Guid.NewGuid());
        var reservations = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => throttle.ReserveAsync(5, Window)));
        Assert.Equal(5, reservations.Count(r => r.Ticket is not null));
        Assert.All(reservations.Where(r => r.Ticket is null), r => Assert.True(r.RetryAfter > TimeSpan.Zero));

        // The state is in PostgreSQL: a new activation still refuses.
        await fixture.DeactivateAsync(throttle);
        Assert.Null((await throttle.ReserveAsync(5, Window)).Ticket);

        // A success withdraws its reservation (one place frees); forgiving frees them all.
        var ticket = reservations.First(r => r.Ticket is not null).Ticket!.Value;
        await throttle.SucceededAsync(ticket, forgive: false);
        Assert.NotNull((await throttle.ReserveAsync(5, Window)).Ticket);
        Assert.Null((await throttle.ReserveAsync(5, Window)).Ticket);
        await throttle.SucceededAsync(ticket, forgive: true);
        await fixture.DeactivateAsync(throttle);
        Assert.Equal(5, (await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => throttle.ReserveAsync(5, Window)))).Count(r => r.Ticket is not null));
    }

    [Fact]
    public async Task AVerificationTokenVerifiesOnceAndTheUserGrainSeesIt()
    {
        var token = Guid.NewGuid().ToString("N");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
        var directory = Grains.GetGrain<IUserRegistryGrain>(0);
        var registered = await directory.RegisterAsync(new RegisterUserCommand(
            $"verify-{Guid.NewGuid():N}@grains.test", null, "$2b$12$notarealhashnotarealhashnotarealhashnotarealhashnotre", hash, DateTimeOffset.UtcNow.AddHours(1)));
        Assert.True(registered.VerificationIssued);
        var user = Grains.GetGrain<IUserGrain>(registered.User!.Id);
        Assert.False((await user.GetAsync())!.EmailVerified);

        // Registering the address again: same outcome for the caller to hide, and a second token while unverified.
        var secondHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token + "2")));
        var again = await directory.RegisterAsync(new RegisterUserCommand(
            registered.User.Email.ToUpperInvariant(), null, "$2b$12$notarealhashnotarealhashnotarealhashnotarealhashnotre", secondHash, DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Equal(RegistrationOutcome.EmailTaken, again.Outcome);
        Assert.True(again.VerificationIssued);

        Assert.True((await directory.VerifyEmailAsync(hash))!.EmailVerified);
        Assert.True((await user.GetAsync())!.EmailVerified);
        Assert.Null(await directory.VerifyEmailAsync(hash));

        // Verified: registering again issues no token.
        var third = await directory.RegisterAsync(new RegisterUserCommand(
            registered.User.Email, null, "$2b$12$notarealhashnotarealhashnotarealhashnotarealhashnotre", new string('a', 64), DateTimeOffset.UtcNow.AddHours(1)));
        Assert.False(third.VerificationIssued);
    }

    [Fact]
    public async Task AnExpiredVerificationTokenVerifiesNothing()
    {
        var hash = new string('b', 63) + "c";
        var directory = Grains.GetGrain<IUserRegistryGrain>(0);
        var registered = await directory.RegisterAsync(new RegisterUserCommand(
            $"expired-{Guid.NewGuid():N}@grains.test", null, "$2b$12$notarealhashnotarealhashnotarealhashnotarealhashnotre", hash, DateTimeOffset.UtcNow.AddMinutes(-1)));
        Assert.Null(await directory.VerifyEmailAsync(hash));
        Assert.False((await Grains.GetGrain<IUserGrain>(registered.User!.Id).GetAsync())!.EmailVerified);
    }
}
