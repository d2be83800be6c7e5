using System.Security.Cryptography;
using System.Threading.RateLimiting;
using ChatBoost.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBoost.Api.Auth;

/// <summary>
/// BCrypt hashing and verification, done in the API (stateless, scales out) rather than in grains. BCrypt is
/// deliberately slow CPU work (~0.2–0.3 s at work factor 12), so it runs behind two bounded queues: logins
/// (one running per core, <c>BCRYPT_LOGIN_QUEUE</c> waiting) and registrations (half the cores, at least one,
/// <c>BCRYPT_REGISTRATION_QUEUE</c> waiting). They are separate so that a registration flood can take at
/// most its own slots and never stalls logins; when a queue is full the caller gets <see cref="BcryptBusyException"/>
/// (503 with Retry-After) at once instead of waiting without bound.
/// </summary>
public sealed class PasswordHasher : IDisposable
{
    private readonly IOptions<AuthOptions> _options;
    private readonly ConcurrencyLimiter _logins;
    private readonly ConcurrencyLimiter _registrations;
    private readonly Lazy<string> _decoyHash;

    public PasswordHasher(IOptions<AuthOptions> options)
    {
        _options = options;
        _logins = Queue(Environment.ProcessorCount, options.Value.BcryptLoginQueue);
        _registrations = Queue(Math.Max(1, Environment.ProcessorCount / 2), options.Value.BcryptRegistrationQueue);
        _decoyHash = new(() => BCrypt.Net.BCrypt.HashPassword(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)), options.Value.BcryptWorkFactor));
    }

    /// <summary>Hashes a new password on the registration queue.</summary>
    public Task<string> HashAsync(string password, CancellationToken cancellationToken) =>
        RunQueuedAsync(_registrations, () => BCrypt.Net.BCrypt.HashPassword(password, _options.Value.BcryptWorkFactor), cancellationToken);

    /// <summary>Verifies against the stored hash, or against a decoy when there is none, so that an unknown
    /// account takes as long as a wrong password and timing does not reveal which e-mails exist.</summary>
    public Task<bool> VerifyAsync(string password, string? storedHash, CancellationToken cancellationToken) =>
        RunQueuedAsync(_logins, () => Verify(password, storedHash), cancellationToken);

    public void Dispose()
    {
        _logins.Dispose();
        _registrations.Dispose();
    }

    private static ConcurrencyLimiter Queue(int running, int waiting) => new(new ConcurrencyLimiterOptions
    {
        PermitLimit = running,
        QueueLimit = waiting,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    private bool Verify(string password, string? storedHash)
    {
        var hash = storedHash ?? _decoyHash.Value;
        bool matches;
        try
        {
            matches = BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            matches = false;
        }

        return matches && storedHash is not null;
    }

    private static async Task<T> RunQueuedAsync<T>(ConcurrencyLimiter queue, Func<T> work, CancellationToken cancellationToken)
    {
        using var lease = await queue.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            throw new BcryptBusyException();
        }

        return await Task.Run(work, cancellationToken);
    }
}

/// <summary>The BCrypt queue is full: the caller answers 503 with Retry-After.</summary>
public sealed class BcryptBusyException() : Exception("Too many password checks are waiting.");
