using System.Net;
using ChatBoost.EndToEndTests.Harness;
using Npgsql;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Auth;

[Collection(SystemCollection.Name)]
public class RegistrationAndLoginTests(SharedSystemFixture fixture)
{
    private readonly ChatBoostSystem _system = fixture.System;
    private HttpClient Http => _system.Http;

    [Fact]
    public async Task RegisterThenTokenThenMe()
    {
        // The seed's walk-through, without the harness's verification step: a new address may sign in at once.
        var email = UniqueEmail("alice");
        var (registered, accepted, _) = await Http.PostJsonAsync("/auth/register", new { email, password = DefaultPassword, full_name = "Alice Liddell" });
        Assert.Equal(HttpStatusCode.Accepted, registered);
        Assert.Equal(email, accepted!["email"]!.GetValue<string>());
        Assert.Null(accepted["id"]);
        Assert.Null(accepted["password"]);
        Assert.Null(accepted["password_hash"]);

        var (status, token, _) = await Http.PostJsonAsync("/auth/token", new { username = email, password = DefaultPassword });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("bearer", token!["token_type"]!.GetValue<string>());
        Assert.Equal(30 * 60, token["expires_in"]!.GetValue<int>());

        var (meStatus, me, _) = await Http.GetJsonAsync("/auth/me", token["access_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, meStatus);
        Assert.Equal(email, me!["email"]!.GetValue<string>());
        Assert.Equal("Alice Liddell", me["full_name"]!.GetValue<string>());
        Assert.True(me["is_active"]!.GetValue<bool>());
        Assert.False(me["email_verified"]!.GetValue<bool>());
        Assert.Null(me["password_hash"]);
    }

    [Fact]
    public async Task TokenAcceptsTheOAuth2PasswordForm()
    {
        var email = UniqueEmail("form");
        await Http.RegisterAsync(email);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = email.ToUpperInvariant(),
            ["password"] = DefaultPassword,
        });
        var response = await Http.PostAsync(new Uri("/auth/token", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RegisteringAnExistingAddressAnswersExactlyLikeANewOne()
    {
        // Was EmailIsUniqueCaseInsensitively (409 for the second registration): a 409 told anyone which
        // addresses have accounts. Now both answers are the same; only the mailbox learns it, and the
        // address stays unique case-insensitively (one row).
        var email = UniqueEmail("case");
        var first = await Http.PostJsonAsync("/auth/register", new { email, password = DefaultPassword });
        var again = await Http.PostJsonAsync("/auth/register", new { email, password = "another password 123" });
        var fresh = await Http.PostJsonAsync("/auth/register", new { email = UniqueEmail("fresh"), password = DefaultPassword });

        foreach (var answer in new[] { first, again, fresh })
        {
            Assert.Equal(HttpStatusCode.Accepted, answer.Status);
            Assert.Equal(["email", "message"], answer.Body!.AsObject().Select(p => p.Key).Order());
            Assert.Equal(first.Body!["message"]!.ToJsonString(), answer.Body["message"]!.ToJsonString());
        }

        Assert.Equal(first.Body!.ToJsonString(), again.Body!.ToJsonString());
        var upper = await Http.PostJsonAsync("/auth/register", new { email = "  " + email.ToUpperInvariant(), password = DefaultPassword });
        Assert.Equal(HttpStatusCode.Accepted, upper.Status);

        await using var db = await _system.OpenDatabaseAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM users WHERE email_normalized = @e", db);
        count.Parameters.AddWithValue("e", email.ToLowerInvariant());
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);

        // The mail says it: the second registration's mail is "you already have an account".
        await Eventually(() => _system.Api.Output.Contains($"registration mail for {email} (you already have an account)", StringComparison.Ordinal));
        Assert.Contains($"registration mail for {email} (new account)", _system.Api.Output, StringComparison.Ordinal);

        // The first password stays the account's.
        await Http.LoginAsync(email);
    }

    [Fact]
    public async Task ConcurrentRegistrationsOfOneEmailCreateExactlyOneUser()
    {
        var email = UniqueEmail("race");
        var attempts = Enumerable.Range(0, 12).Select(i =>
            Http.PostJsonAsync("/auth/register", new { email = i % 2 == 0 ? email : email.ToUpperInvariant(), password = DefaultPassword }));
        var results = await Task.WhenAll(attempts);

        // Was: one 201 and 409 for the rest. Every answer is now the same 202 (no account oracle); the
        // unique index still lets exactly one row in.
        Assert.All(results, r => Assert.Equal(HttpStatusCode.Accepted, r.Status));
        await using var db = await _system.OpenDatabaseAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM users WHERE email_normalized = @e", db);
        count.Parameters.AddWithValue("e", email.ToLowerInvariant());
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task WrongPasswordAndUnknownUserLookTheSame()
    {
        var email = UniqueEmail("same");
        await Http.RegisterAsync(email);
        var wrong = await Http.PostJsonAsync("/auth/token", new { username = email, password = "not the password" });
        var unknown = await Http.PostJsonAsync("/auth/token", new { username = UniqueEmail("ghost"), password = "not the password" });

        AssertProblem(HttpStatusCode.Unauthorized, wrong);
        AssertProblem(HttpStatusCode.Unauthorized, unknown);
        foreach (var field in new[] { "type", "title", "status", "detail" })
        {
            Assert.Equal(wrong.Body![field]!.ToJsonString(), unknown.Body![field]!.ToJsonString());
        }
    }

    [Fact]
    public async Task RepeatedFailuresLockTheAccountWithRetryAfter()
    {
        var email = UniqueEmail("locked");
        await Http.RegisterAsync(email);
        for (var i = 0; i < 5; i++)
        {
            AssertProblem(HttpStatusCode.Unauthorized, await Http.PostJsonAsync("/auth/token", new { username = email, password = "wrong password" }));
        }

        var locked = await Http.PostJsonAsync("/auth/token", new { username = email, password = DefaultPassword });
        AssertProblem(HttpStatusCode.TooManyRequests, locked);
        var retryAfter = locked.Response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 15 * 60);

        // Other accounts are not affected.
        var other = UniqueEmail("unlocked");
        await Http.RegisterAsync(other);
        await Http.LoginAsync(other);
    }

    [Fact]
    public async Task RegistrationCreatesAPersonalOrganizationOwnedByTheUser()
    {
        var created = await Http.RegisterAsync(UniqueEmail("org"), fullName: "Org Owner");
        var userId = created["id"]!.GetValue<long>();
        var orgId = created["personal_organization_id"]!.GetValue<long>();

        await using var db = await _system.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand(
            """
            SELECT o.is_personal, o.name, m.role FROM organizations o
            JOIN organization_members m ON m.organization_id = o.id
            WHERE o.id = @o AND m.user_id = @u
            """, db);
        query.Parameters.AddWithValue("o", orgId);
        query.Parameters.AddWithValue("u", userId);
        await using var reader = await query.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.GetBoolean(0));
        Assert.Equal("Org Owner's organization", reader.GetString(1));
        Assert.Equal("owner", reader.GetString(2));
    }

    [Fact]
    public async Task UsersListShowsOnlyUsersSharingAnOrganization()
    {
        var a = await Http.NewUserAsync("list-a");
        var b = await Http.NewUserAsync("list-b");

        var (status, list, response) = await Http.GetJsonAsync("/auth/users", a.Token);
        Assert.Equal(HttpStatusCode.OK, status);
        var ids = list!.AsArray().Select(u => u!["id"]!.GetValue<long>()).ToArray();
        Assert.Equal([a.Id], ids);
        Assert.Equal("1", response.Headers.GetValues("X-Total-Count").Single());
        Assert.DoesNotContain(b.Id, ids);
    }

    [Fact]
    public async Task PlatformAdministratorsSeeAllUsersPaged()
    {
        var user = await Http.NewUserAsync("visible");
        var adminToken = await Http.RegisterVerifiedAsync(SharedSystemFixture.AdminEmail);

        var (_, all, response) = await Http.GetJsonAsync("/auth/users?limit=200", adminToken);
        var total = long.Parse(response.Headers.GetValues("X-Total-Count").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(total >= 2);
        Assert.Contains(user.Id, all!.AsArray().Select(u => u!["id"]!.GetValue<long>()));

        var (_, page, _) = await Http.GetJsonAsync("/auth/users?limit=1&offset=1", adminToken);
        Assert.Single(page!.AsArray());
        Assert.Equal(all.AsArray()[1]!["id"]!.GetValue<long>(), page.AsArray()[0]!["id"]!.GetValue<long>());
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 100 && !condition(); attempt++)
        {
            await Task.Delay(100);
        }

        Assert.True(condition());
    }
}
