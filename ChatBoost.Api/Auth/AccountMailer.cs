using ChatBoost.Api.Hosting;

namespace ChatBoost.Api.Auth;

/// <summary>
/// The mail a registration sends. Registration answers the same whether or not the address already has an
/// account; the mailbox is told which it was: a new account gets its verification link, an existing one
/// "you already have an account" (with a fresh verification link while the address is unverified).
/// Without SMTP, Development and the test harness log the mail with its link; other environments log only
/// that it was not delivered.
/// </summary>
public sealed class AccountMailer(SmtpMailSender mail, ILogger<AccountMailer> logger)
{
    /// <param name="verificationToken">The token to mail, or null when the address is already verified.</param>
    public async Task SendRegistrationMailAsync(string email, bool accountExisted, string? verificationToken, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var verifyUrl = mail.PublicUrl("/auth/verify-email");
        if (!mail.IsConfigured)
        {
            if (!mail.MayLogTokens)
            {
                logger.LogWarning("SMTP is not configured: the registration mail for {Email} was not delivered. Set SMTP_HOST.", email);
            }
            else if (verificationToken is null)
            {
                logger.LogWarning("SMTP is not configured: registration mail for {Email}: you already have an account, and its address is verified.", email);
            }
            else
            {
                logger.LogWarning(
                    "SMTP is not configured: registration mail for {Email} ({Kind}): verify the address with POST {VerifyUrl} and the body {{\"token\": \"{Token}\"}}, valid until {ExpiresAt:u}.",
                    email, accountExisted ? "you already have an account" : "new account", verifyUrl, verificationToken, expiresAt);
            }

            return;
        }

        var verify = verificationToken is null ? "" : $"""

            Confirm that this address is yours: POST {verifyUrl} with the JSON body
            {"{"}"token": "{verificationToken}"{"}"}
            The token works once, until {expiresAt:u}.
            """;
        var body = accountExisted
            ? $"""
                Someone (perhaps you) tried to register on ChatBoost with this e-mail address, but you already have an
                account. Sign in with your password instead. If it was not you, you can ignore this e-mail.
                {verify}
                """
            : $"""
                Welcome to ChatBoost.
                {verify}

                If you did not register, ignore this e-mail.
                """;
        await mail.SendAsync(email, accountExisted ? "You already have a ChatBoost account" : "Confirm your ChatBoost e-mail address", body, cancellationToken);
    }
}
