using ChatBoost.Grains.Interfaces;

namespace ChatBoost.Grains.Bots;

/// <summary>Why a bot may not claim a phone number id: the status the API answers with, and what to tell the caller.</summary>
public sealed record PhoneNumberClaimRefusal(CommandStatus Status, string Detail);

/// <summary>
/// The proof a bot's save must pass before it claims a phone number id: not the platform's own number (409), a token to
/// prove with (422), and Meta confirming that the token reaches the number (422 otherwise). Throws
/// <see cref="DependencyUnavailableException"/> when Meta cannot be asked. The rules are <see cref="PhoneNumberClaimRules"/>.
/// </summary>
public sealed class PhoneNumberClaimCheck(IPhoneNumberProbe probe)
{
    /// <param name="platformNumber">WHATSAPP_PHONE_NUMBER_ID, or null.</param>
    /// <param name="accessToken">The token the bot would send with (its own, or the operator's when allowed).</param>
    public async Task<PhoneNumberClaimRefusal?> CheckAsync(string number, string? accessToken, string? platformNumber, string apiVersion)
    {
        if (PhoneNumberClaimRules.RefuseBeforeProbe(number, platformNumber, accessToken) is { } refused)
        {
            var isPlatformNumber = platformNumber is not null && string.Equals(number, platformNumber.Trim(), StringComparison.Ordinal);
            return new PhoneNumberClaimRefusal(isPlatformNumber ? CommandStatus.Conflict : CommandStatus.Invalid, refused);
        }

        var outcome = await probe.ProbeAsync(number, accessToken!, apiVersion);
        return PhoneNumberClaimRules.Explain(number, outcome) is { } unproved ? new PhoneNumberClaimRefusal(CommandStatus.Invalid, unproved) : null;
    }
}
