using System.Net;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Platform;

[Collection(SystemCollection.Name)]
public class PlatformTests(SharedSystemFixture fixture)
{
    private readonly ChatBoostSystem _system = fixture.System;
    private HttpClient Http => _system.Http;

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task HealthEndpointsAnswerWithoutAToken(string path)
    {
        var (status, body, _) = await Http.GetJsonAsync(path);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", body!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenApiDocumentDescribesTheAuthEndpointsInSnakeCase()
    {
        var (status, doc, _) = await Http.GetJsonAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, status);
        var paths = doc!["paths"]!.AsObject().Select(p => p.Key).ToArray();
        Assert.Contains("/auth/register", paths);
        Assert.Contains("/auth/token", paths);
        Assert.Contains("/auth/me", paths);
        Assert.Contains("/auth/users", paths);
        var text = doc.ToJsonString();
        Assert.Contains("\"full_name\"", text, StringComparison.Ordinal);
        Assert.Contains("\"access_token\"", text, StringComparison.Ordinal);
        Assert.NotNull(doc["components"]?["securitySchemes"]);

        // The node reference is part of the schema: node types as an enum, operators and wait modes described.
        var node = doc["components"]!["schemas"]!["CreateNodeRequest"]!;
        Assert.Contains("webhook_action", node["properties"]!["type"]!["enum"]!.ToJsonString(), StringComparison.Ordinal);
        var config = node["description"]!.GetValue<string>();
        Assert.Contains("starts_with", config, StringComparison.Ordinal);
        Assert.Contains("until: \"reply\"", config, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/docs/index.html")]
    [InlineData("/redoc/index.html")]
    public async Task DocumentationPagesAreServed(string path)
    {
        var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UnknownRoutesAreProblem404() =>
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync("/no/such/route"));

    [Fact]
    public async Task UsersAndOrganizationsSurviveARestartOfEveryProcess()
    {
        var email = UniqueEmail("restart");
        var created = await Http.RegisterAsync(email);

        await _system.RestartAsync();

        var token = await Http.LoginAsync(email);
        var (status, me, _) = await Http.GetJsonAsync("/auth/me", token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(created["personal_organization_id"]!.GetValue<long>(), me!["personal_organization_id"]!.GetValue<long>());
    }

    [Fact]
    public async Task SecretsNeverAppearInResponsesOrLogs()
    {
        const string canaryPassword = "canary-Pa55word-7f3e9d";
        var email = UniqueEmail("canary");
        await Http.RegisterAsync(email, canaryPassword);
        var token = await Http.LoginAsync(email, canaryPassword);
        await Http.GetJsonAsync("/auth/me", token);
        await Http.PostJsonAsync("/auth/token", new { username = email, password = canaryPassword + "-wrong" });

        var logs = _system.AllLogs;
        Assert.DoesNotContain(canaryPassword, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(ChatBoostSystem.SecretKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("Password=", logs, StringComparison.OrdinalIgnoreCase);

        foreach (var body in _system.RecordedResponses)
        {
            Assert.DoesNotContain(canaryPassword, body, StringComparison.Ordinal);
            Assert.DoesNotContain("$2a$", body, StringComparison.Ordinal);
            Assert.DoesNotContain("$2b$", body, StringComparison.Ordinal);
            Assert.DoesNotContain("password_hash\":\"", body, StringComparison.Ordinal);
            Assert.DoesNotContain(ChatBoostSystem.SecretKey, body, StringComparison.Ordinal);
        }
    }
}
