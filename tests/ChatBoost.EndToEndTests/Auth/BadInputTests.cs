using System.Net;
using System.Text;
using ChatBoost.EndToEndTests.Harness;
using Npgsql;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Auth;

/// <summary>Hostile and broken requests get the right 4xx problem, and nothing is stored.</summary>
[Collection(SystemCollection.Name)]
public class BadInputTests(SharedSystemFixture fixture)
{
    private readonly ChatBoostSystem _system = fixture.System;
    private HttpClient Http => _system.Http;

    private async Task AssertNoUserAsync(string email)
    {
        await using var db = await _system.OpenDatabaseAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM users WHERE email_normalized = @e", db);
        count.Parameters.AddWithValue("e", email.ToLowerInvariant());
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task MalformedJsonIs400()
    {
        var result = await Http.PostJsonAsync("/auth/register", """{"email": "a@b.co", "password": """);
        AssertProblem(HttpStatusCode.BadRequest, result);
    }

    [Fact]
    public async Task EmptyBodyIs400() =>
        AssertProblem(HttpStatusCode.BadRequest, await Http.PostJsonAsync("/auth/register", ""));

    [Fact]
    public async Task NonJsonContentTypeIs415()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/register")
        {
            Content = new StringContent("email=a@b.co", Encoding.UTF8, "text/plain"),
        };
        AssertProblem(HttpStatusCode.UnsupportedMediaType, await Http.CallAsync(request));
    }

    [Fact]
    public async Task WrongTypesAre422OnTheField()
    {
        var email = UniqueEmail("types");
        var result = await Http.PostJsonAsync("/auth/register", $$"""{"email": "{{email}}", "password": 12345678}""");
        AssertProblem(HttpStatusCode.UnprocessableEntity, result);
        Assert.Equal(["password"], ErrorFields(result.Body!));
        await AssertNoUserAsync(email);
    }

    [Fact]
    public async Task MissingFieldsAre422ListingEachField()
    {
        var result = await Http.PostJsonAsync("/auth/register", "{}");
        AssertProblem(HttpStatusCode.UnprocessableEntity, result);
        Assert.Equal(["email", "password"], ErrorFields(result.Body!).Order());
    }

    [Theory]
    [InlineData("id", "1")]
    [InlineData("role", "\"owner\"")]
    [InlineData("password_hash", "\"$2b$12$abcdefghijklmnopqrstuuJ0X8JXcW4cXjYpG3YbS1XkS9Xs1cGgO\"")]
    [InlineData("is_active", "false")]
    [InlineData("personal_organization_id", "1")]
    public async Task FieldsThatTryToSetServerStateAreRefusedAndNothingIsStored(string field, string value)
    {
        var email = UniqueEmail("mass");
        var result = await Http.PostJsonAsync("/auth/register", $$"""{"email": "{{email}}", "password": "{{DefaultPassword}}", "{{field}}": {{value}}}""");
        AssertProblem(HttpStatusCode.UnprocessableEntity, result);
        Assert.Equal([field], ErrorFields(result.Body!));
        await AssertNoUserAsync(email);
    }

    [Fact]
    public async Task PasswordOver72BytesIs422WithAClearMessage()
    {
        var email = UniqueEmail("long");
        var result = await Http.PostJsonAsync("/auth/register", new { email, password = new string('é', 37) });
        AssertProblem(HttpStatusCode.UnprocessableEntity, result);
        Assert.Contains("72 bytes", result.Body!["errors"]!["password"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertNoUserAsync(email);
    }

    [Theory]
    [InlineData("not-an-email", "12345678")]
    [InlineData("short@e2e.test", "1234567")]
    public async Task InvalidValuesAre422(string email, string password) =>
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.PostJsonAsync("/auth/register", new { email, password }));

    [Fact]
    public async Task BodyOverTheLimitIs413AndNothingIsStored()
    {
        var email = UniqueEmail("huge");
        var json = $$"""{"email": "{{email}}", "password": "{{DefaultPassword}}", "full_name": "{{new string('x', 1_100_000)}}"}""";
        // Expect: 100-continue: the client waits for the answer before it writes the body. Kestrel refuses it from its
        // Content-Length without asking for it; written eagerly, the 1 MB races the closing connection (a broken pipe).
        using var request = ApiCalls.Json(HttpMethod.Post, "/auth/register", json);
        request.Headers.ExpectContinue = true;
        AssertProblem(HttpStatusCode.RequestEntityTooLarge, await Http.CallAsync(request));
        await AssertNoUserAsync(email);
    }

    [Fact]
    public async Task DuplicateJsonKeysAreRefused()
    {
        var email = UniqueEmail("dup");
        var result = await Http.PostJsonAsync("/auth/register", $$"""{"email": "{{email}}", "password": "{{DefaultPassword}}", "password": "other-password"}""");
        Assert.True(result.Status is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, result.Status.ToString());
        await AssertNoUserAsync(email);
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=abc")]
    [InlineData("?offset=-5")]
    [InlineData("?limit=100000")]
    public async Task BadPagingIs422(string query)
    {
        var user = await Http.NewUserAsync("paging");
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.GetJsonAsync("/auth/users" + query, user.Token));
    }

    [Fact]
    public async Task TokenRequestWithoutFieldsIs422() =>
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.PostJsonAsync("/auth/token", "{}"));
}

/// <summary>Malformed id query parameters are 422, never a misleading 404 or a 500.</summary>
[Collection(SystemCollection.Name)]
public class BadQueryIdTests(SharedSystemFixture fixture)
{
    [Theory]
    [InlineData("/bots/?organization_id=abc")]
    [InlineData("/bots/?organization_id=-1")]
    [InlineData("/bots/flows/?bot_id=1.5")]
    [InlineData("/bots/templates/?organization_id=0")]
    public async Task MalformedIdsAre422(string path)
    {
        var user = await fixture.System.Http.NewUserAsync("bad-query");
        var result = await fixture.System.Http.GetJsonAsync(path, user.Token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, result);
    }
}

/// <summary>
/// Malformed ids in a path are 422 naming the parameter, like malformed query ids (the routes are typed,
/// <c>{bot_id:long}</c>, and <c>MalformedRouteIds</c> answers what they do not match); a well-formed id that names
/// nothing stays a 404.
/// </summary>
[Collection(SystemCollection.Name)]
public class BadRouteIdTests(SharedSystemFixture fixture)
{
    [Theory]
    [InlineData("/bots/abc", "bot_id")]
    [InlineData("/bots/flows/1.5", "flow_id")]
    [InlineData("/bots/flows/1/versions/latest", "version")]
    [InlineData("/team/organizations/acme", "org_id")]
    [InlineData("/flows/executions/99999999999999999999", "execution_id")]
    [InlineData("/contacts/x/attributes", "contact_id")]
    [InlineData("/whatsapp/messages/first", "bot_id")]
    public async Task MalformedPathIdsAre422(string path, string parameter)
    {
        var user = await fixture.System.Http.NewUserAsync("bad-route");
        var result = await fixture.System.Http.GetJsonAsync(path, user.Token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, result);
        Assert.Equal([parameter], ErrorFields(result.Body!));
    }

    [Theory]
    [InlineData("/bots/0")]
    [InlineData("/team/organizations/0")]
    [InlineData("/flows/executions/0")]
    public async Task WellFormedIdsOfNothingAre404(string path)
    {
        var user = await fixture.System.Http.NewUserAsync("zero-route");
        AssertProblem(HttpStatusCode.NotFound, await fixture.System.Http.GetJsonAsync(path, user.Token));
    }
}
