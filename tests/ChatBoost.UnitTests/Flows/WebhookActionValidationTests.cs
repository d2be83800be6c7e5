using ChatBoost.Grains.Flows.Definition;
using static ChatBoost.UnitTests.Flows.FlowTestKit;

namespace ChatBoost.UnitTests.Flows;

public class WebhookActionValidationTests
{
    private const string Type = FlowNodeTypes.WebhookAction;

    [Fact]
    public void DefaultsApply()
    {
        var webhook = Parse<WebhookActionConfig>(Type, """{"url": "https://api.example.com/hook"}""");
        Assert.Equal(("POST", 10, null, null), (webhook.Method, webhook.TimeoutSeconds, webhook.StoreResponseIn, webhook.Body));
        Assert.Empty(webhook.Headers);
        Assert.Equal([new NodeBranch("next", null), new NodeBranch("error_path", null)], webhook.Branches);
    }

    [Fact]
    public void UrlIsRequired() => AssertSingleError(Type, """{"method": "GET"}""", FlowProblemCodes.MissingField, "config.url");

    [Theory]
    [InlineData("api.example.com/hook")]
    [InlineData("ftp://api.example.com/hook")]
    [InlineData("javascript://alert(1)")]
    [InlineData("https://")]
    [InlineData("https://api.example.com/a b")]
    public void UrlMustBeAbsoluteHttp(string url) =>
        AssertSingleError(Type, $$"""{"url": "{{url}}"}""", FlowProblemCodes.InvalidUrl, "config.url");

    [Theory]
    [InlineData("https://api.example.com/users/{{contact.phone}}?ref={{state.ref}}")]
    [InlineData("http://localhost:8080/{{ state.path }}")]
    [InlineData("https://api.example.com?q={{contact.attribute.city}}")]
    public void PlaceholdersAreAllowedInPathAndQuery(string url) => AssertValid(Type, $$"""{"url": "{{url}}"}""");

    [Theory]
    [InlineData("https://{{state.host}}/hook")]
    [InlineData("https://api.{{state.env}}.example.com/hook")]
    [InlineData("{{state.url}}")]
    [InlineData("https://api.example.com:{{state.port}}/x")]
    public void SchemeAndHostMustBeLiteral(string url)
    {
        var problem = Assert.Single(Validate(Type, $$"""{"url": "{{url}}"}"""));
        Assert.Equal("config.url", problem.Field);
        Assert.Contains(problem.Code, new[] { FlowProblemCodes.PlaceholderNotAllowed, FlowProblemCodes.InvalidUrl });
    }

    [Fact]
    public void HostPlaceholderIsReportedAsNotAllowed() =>
        AssertSingleError(Type, """{"url": "https://{{state.host}}/hook"}""", FlowProblemCodes.PlaceholderNotAllowed, "config.url");

    [Fact]
    public void MalformedPlaceholderInUrlIsReported() =>
        AssertSingleError(Type, """{"url": "https://api.example.com/{{state.}}"}""", FlowProblemCodes.PlaceholderInvalidName, "config.url");

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public void KnownMethodsAreAccepted(string method) =>
        AssertValid(Type, $$"""{"url": "https://x.example", "method": "{{method}}"}""");

    [Theory]
    [InlineData("post")]
    [InlineData("HEAD")]
    public void OtherMethodsAreRefused(string method) =>
        AssertSingleError(Type, $$"""{"url": "https://x.example", "method": "{{method}}"}""", FlowProblemCodes.InvalidValue, "config.method");

    [Fact]
    public void HeadersAreAnObject() =>
        AssertSingleError(Type, """{"url": "https://x.example", "headers": ["a"]}""", FlowProblemCodes.InvalidType, "config.headers");

    [Fact]
    public void HeaderValuesAreStrings() =>
        AssertSingleError(Type, """{"url": "https://x.example", "headers": {"X-Count": 3}}""", FlowProblemCodes.InvalidType, "config.headers.X-Count");

    [Fact]
    public void HeaderNamesAreTokens() =>
        AssertSingleError(Type, """{"url": "https://x.example", "headers": {"Bad Name": "v"}}""", FlowProblemCodes.InvalidValue, "config.headers.Bad Name");

    [Theory]
    [InlineData("Host")]
    [InlineData("content-length")]
    [InlineData("Transfer-Encoding")]
    [InlineData("Connection")]
    public void HeadersThatFrameOrRouteTheRequestAreRefused(string name) =>
        AssertSingleError(Type, $$$"""{"url": "https://x.example", "headers": {"{{{name}}}": "v"}}""", FlowProblemCodes.InvalidValue, $"config.headers.{name}");

    [Fact]
    public void HeaderValuesHaveNoLineBreaks() =>
        AssertSingleError(Type, """{"url": "https://x.example", "headers": {"X-A": "a\r\nX-B: b"}}""", FlowProblemCodes.InvalidValue, "config.headers.X-A");

    [Fact]
    public void HeaderNamesAreUniqueIgnoringCase() =>
        AssertSingleError(Type, """{"url": "https://x.example", "headers": {"X-Key": "a", "x-key": "b"}}""", FlowProblemCodes.DuplicateValue, "config.headers.x-key");

    [Fact]
    public void HeaderPlaceholdersAreChecked() =>
        AssertSingleError(Type, """{"url": "https://x.example", "headers": {"Authorization": "Bearer {{secret.token}}"}}""",
            FlowProblemCodes.PlaceholderUnknownRoot, "config.headers.Authorization");

    [Fact]
    public void BodyPlaceholdersAreCheckedWithTheirPath() =>
        AssertSingleError(Type, """{"url": "https://x.example", "body": {"items": [{"name": "{{contact.first}}"}]}}""",
            FlowProblemCodes.PlaceholderUnknownField, "config.body.items[0].name");

    [Fact]
    public void GetTakesNoBody() =>
        AssertSingleError(Type, """{"url": "https://x.example", "method": "GET", "body": {"a": 1}}""", FlowProblemCodes.FieldNotAllowed, "config.body");

    [Theory]
    [InlineData("0")]
    [InlineData("31")]
    public void TimeoutIsOneToThirtySeconds(string timeout) =>
        AssertSingleError(Type, $$"""{"url": "https://x.example", "timeout_seconds": {{timeout}}}""", FlowProblemCodes.OutOfRange, "config.timeout_seconds");

    [Fact]
    public void TimeoutIsAnInteger() =>
        AssertSingleError(Type, """{"url": "https://x.example", "timeout_seconds": 2.5}""", FlowProblemCodes.InvalidType, "config.timeout_seconds");

    [Theory]
    [InlineData("api_result")]
    [InlineData("state.a.b")]
    [InlineData("{{state.a}}")]
    [InlineData("contact.attribute.x")]
    public void ResponseIsStoredInAStateName(string target) =>
        AssertSingleError(Type, $$"""{"url": "https://x.example", "store_response_in": "{{target}}"}""", FlowProblemCodes.InvalidVariable, "config.store_response_in");

    [Fact]
    public void ErrorPathMustBeANodeOfTheFlow() =>
        AssertSingleError(Type, """{"url": "https://x.example", "error_path": 99}""", FlowProblemCodes.UnknownReference, "config.error_path");

    [Fact]
    public void AWebhookParsesCompletely()
    {
        var webhook = Parse<WebhookActionConfig>(Type, """
            {"url": "https://x.example/{{state.id}}", "method": "PATCH", "headers": {"X-Key": "k"}, "body": [1, "{{now}}"],
             "timeout_seconds": 30, "store_response_in": "state.result", "next": 2, "error_path": 3}
            """);
        Assert.Equal(("PATCH", "k", 30, "result", 2L, 3L), (webhook.Method, webhook.Headers["x-key"], webhook.TimeoutSeconds,
            webhook.StoreResponseIn!.Name, webhook.Next, webhook.ErrorPath));
        Assert.Equal(2, webhook.Body!.Value.GetArrayLength());
    }
}
