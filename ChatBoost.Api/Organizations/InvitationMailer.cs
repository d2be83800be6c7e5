using ChatBoost.Api.Hosting;

namespace ChatBoost.Api.Organizations;

/// <summary>
/// Delivers invitation e-mails through SMTP when <c>SMTP_HOST</c> is set. Without SMTP, in Development (and
/// the test harness) the invitation with its token goes to the log so that a local user can still accept it;
/// in any other environment the log says only that it could not be delivered. The token is never returned
/// by the API: only the invitee's mailbox (or a development log) sees it.
/// </summary>
public sealed class InvitationMailer(SmtpMailSender mail, ILogger<InvitationMailer> logger)
{
    public async Task<bool> SendAsync(string email, string organizationName, string role, string token, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var acceptUrl = mail.PublicUrl($"/team/invitations/{token}/accept");
        if (!mail.IsConfigured)
        {
            if (mail.MayLogTokens)
            {
                logger.LogWarning(
                    "SMTP is not configured: invitation for {Email} to organization '{Organization}' as {Role}, valid until {ExpiresAt:u}. Accept with POST {AcceptUrl} while signed in as {Email}.",
                    email, organizationName, role, expiresAt, acceptUrl, email);
            }
            else
            {
                logger.LogWarning("SMTP is not configured: the invitation for {Email} to organization '{Organization}' was not delivered. Set SMTP_HOST.", email, organizationName);
            }

            return false;
        }

        return await mail.SendAsync(email, $"You are invited to {organizationName} on ChatBoost", $"""
            You have been invited to join "{organizationName}" on ChatBoost as {role}.

            Sign in (or register) with this e-mail address, verify it, then accept the invitation:
            POST {acceptUrl}

            The invitation expires on {expiresAt:u}. If you did not expect it, ignore this e-mail.
            """, cancellationToken);
    }
}
