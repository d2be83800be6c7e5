using System.Net;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.EndToEndTests.Team;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Auth;

/// <summary>E-mail verification: what an unverified address may not do, and the token's single use.</summary>
[Collection(SystemCollection.Name)]
public class EmailVerificationTests(SharedSystemFixture fixture)
{
    private readonly ChatBoostSystem _system = fixture.System;
    private HttpClient Http => _system.Http;

    [Fact]
    public async Task AnUnverifiedAdminEmailIsNoPlatformAdministrator()
    {
        // Before: whoever registered an ADMIN_EMAILS address first was administrator.
        var email = SharedSystemFixture.UnverifiedAdminEmail;
        var seen = RegistrationMail.Count(_system, email);
        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostJsonAsync("/auth/register", new { email, password = DefaultPassword })).Status);
        var token = await Http.LoginAsync(email);
        var (_, me, _) = await Http.GetJsonAsync("/auth/me", token);
        if (me!["email_verified"]!.GetValue<bool>())
        {
            return; // verified by an earlier run of this test in the same system; the refusal was shown then
        }

        var refused = await Http.GetJsonAsync("/team/admin/users", token);
        AssertProblem(HttpStatusCode.Forbidden, refused);
        Assert.Contains("Verify your e-mail address", refused.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var (_, all, _) = await Http.GetJsonAsync("/auth/users?limit=200", token);
        Assert.Single(all!.AsArray());

        await RegistrationMail.VerifyFromLogAsync(_system, email, seen);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetJsonAsync("/team/admin/users", token)).Status);
    }

    [Fact]
    public async Task AcceptingAnInvitationNeedsAVerifiedAddress()
    {
        var owner = await Http.NewUserAsync("inv-owner");
        var orgId = await Http.CreateOrganizationAsync(owner.Token);
        var email = UniqueEmail("inv-unverified");
        var seen = RegistrationMail.Count(_system, email);
        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostJsonAsync("/auth/register", new { email, password = DefaultPassword })).Status);
        var invitee = await Http.LoginAsync(email);
        var (_, invitation) = await _system.InviteAsync(orgId, owner.Token, email);

        var refused = await Http.PostJsonAsync($"/team/invitations/{invitation}/accept", null, invitee);
        AssertProblem(HttpStatusCode.Forbidden, refused);
        Assert.Contains("Verify your e-mail address", refused.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        await RegistrationMail.VerifyFromLogAsync(_system, email, seen);
        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync($"/team/invitations/{invitation}/accept", null, invitee)).Status);
    }

    [Fact]
    public async Task AVerificationTokenWorksOnce()
    {
        var email = UniqueEmail("once");
        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostJsonAsync("/auth/register", new { email, password = DefaultPassword })).Status);
        var token = await TokenFromLogAsync(email);

        var (status, verified, _) = await Http.PostJsonAsync("/auth/verify-email", new { token });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(verified!["email_verified"]!.GetValue<bool>());
        AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync("/auth/verify-email", new { token }));
        AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync("/auth/verify-email", new { token = "not-a-token" }));
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.PostJsonAsync("/auth/verify-email", new { token, email }));

        // Only the hash is stored.
        await using var db = await _system.OpenDatabaseAsync();
        await using var stored = new Npgsql.NpgsqlCommand("SELECT count(*) FROM email_verification_tokens WHERE token_sha256 = @t", db);
        stored.Parameters.AddWithValue("t", token);
        Assert.Equal(0L, (long)(await stored.ExecuteScalarAsync())!);
        var (_, me, _) = await Http.GetJsonAsync("/auth/me", await Http.LoginAsync(email));
        Assert.True(me!["email_verified"]!.GetValue<bool>());
    }

    private async Task<string> TokenFromLogAsync(string email)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (RegistrationMail.Mails(_system, email) is [{ Length: > 0 } token, ..])
            {
                return token;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"No registration mail for {email} in the API log.");
    }
}
