namespace ChatBoost.Grains.Bots;

/// <summary>
/// When a bot's save must prove that its access token reaches its phone number id, and what refuses a claim before
/// Meta is asked. Pure: the bot grain asks <see cref="IPhoneNumberProbe"/> only when <see cref="NeedsProof"/> says so.
/// </summary>
public static class PhoneNumberClaimRules
{
    public const string Field = "whatsapp_phone_number_id";

    /// <summary>
    /// A claim is proved when the bot takes a number (new, or another one) and whenever a new access token would be used
    /// with the number it keeps. Clearing the token is not a claim (the bot just cannot send).
    /// </summary>
    public static bool NeedsProof(string? previousNumber, string? number, bool accessTokenChanged, string? effectiveToken) =>
        number is not null && (!string.Equals(previousNumber, number, StringComparison.Ordinal) || (accessTokenChanged && effectiveToken is not null));

    /// <summary>A refusal known without asking Meta, or null. <paramref name="platformNumber"/> is WHATSAPP_PHONE_NUMBER_ID.</summary>
    public static string? RefuseBeforeProbe(string number, string? platformNumber, string? effectiveToken)
    {
        if (platformNumber is not null && string.Equals(number, platformNumber.Trim(), StringComparison.Ordinal))
        {
            return $"The phone number id {number} is the platform's own WhatsApp number and cannot belong to a bot.";
        }

        return effectiveToken is null
            ? "A phone number id needs a whatsapp_access_token that can reach it: ChatBoost asks Meta (GET /{version}/{phone_number_id}) before a bot may use a number."
            : null;
    }

    public static string? Explain(string number, PhoneNumberProbeOutcome outcome) => outcome switch
    {
        PhoneNumberProbeOutcome.Reached => null,
        PhoneNumberProbeOutcome.TokenRejected => "Meta rejected the WhatsApp access token (code 190): the phone number id cannot be confirmed with it.",
        _ => $"Meta says the access token cannot reach the phone number id {number} (code 100, subcode 33: it does not exist, or the token's business has no permission on it).",
    };
}
