using ChatBoost.Testing;

namespace ChatBoost.UnitTests.Http;

/// <summary>Each rule of <see cref="OpenApiContract"/> fails on a document that breaks it, and passes a sound one.</summary>
public class OpenApiContractTests
{
    private static readonly HashSet<string> Anonymous = ["Auth_Register"];

    private const string Problem = """{"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}""";

    private static readonly string GetBot = """
        "get": {
          "operationId": "Bots_Get", "summary": "Get a bot", "tags": ["Bots"],
          "parameters": [{"name": "bot_id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}}],
          "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
            "404": {"description": "Not found", "content": PROBLEM}
          },
          "security": [{"Bearer": []}]
        }
        """.Replace("PROBLEM", Problem, StringComparison.Ordinal);

    private const string Register = """
        "post": {
          "operationId": "Auth_Register", "summary": "Register", "tags": ["Bots"],
          "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
          "responses": {
            "202": {"description": "Accepted", "content": {"application/json": {"schema": {"type": "object"}}}},
            "422": {"description": "Invalid", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/HttpValidationProblemDetails"}}}}
          },
          "security": []
        }
        """;

    [Fact]
    public void ASoundDocumentHasNoViolations() =>
        Assert.Empty(Violations(Document(("/bots/{bot_id}", GetBot), ("/auth/register", Register))));

    [Fact]
    public void AnUndeclaredPathParameterIsAViolation() =>
        AssertViolation(
            GetBot.Replace("""  "parameters": [{"name": "bot_id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}}],""", "", StringComparison.Ordinal),
            "path parameter {bot_id} is not declared");

    [Fact]
    public void AMissingOperationIdIsAViolation() =>
        AssertViolation(GetBot.Replace("\"operationId\": \"Bots_Get\",", "", StringComparison.Ordinal), "no operationId");

    [Fact]
    public void ADuplicateOperationIdIsAViolation() =>
        Assert.Contains(
            Violations(Document(("/bots/{bot_id}", GetBot), ("/bots/{bot_id}/copy", GetBot))),
            v => v.Contains("operationId 'Bots_Get' is also used by", StringComparison.Ordinal));

    [Fact]
    public void AnOperationWithout4xxResponsesIsAViolation() =>
        AssertViolation(GetBot.Replace("\"404\"", "\"503\"", StringComparison.Ordinal), "no 4xx response");

    [Fact]
    public void AResponseWithoutASchemaIsAViolation() =>
        AssertViolation(GetBot.Replace("""{"application/json": {"schema": {"type": "object"}}}""", """{"application/json": {}}""", StringComparison.Ordinal), "200 application/json: no schema");

    [Fact]
    public void AResponseWithoutContentIsAViolation() =>
        AssertViolation(GetBot.Replace("""{"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}""", """{"description": "OK"}""", StringComparison.Ordinal), "200: no content and no schema");

    [Fact]
    public void AnErrorThatIsNotAProblemIsAViolation() =>
        AssertViolation(GetBot.Replace(Problem, """{"application/json": {"schema": {"type": "object"}}}""", StringComparison.Ordinal), "404: not (only) application/problem+json");

    [Fact]
    public void AValidationProblemWithoutErrorsIsAViolation() =>
        AssertViolation(Register.Replace("HttpValidationProblemDetails", "ProblemDetails", StringComparison.Ordinal), "422: the schema does not name the fields");

    [Fact]
    public void AnOperationWithoutTheBearerSchemeIsAViolation() =>
        AssertViolation(GetBot.Replace("""[{"Bearer": []}]""", "[]", StringComparison.Ordinal), "does not require the Bearer scheme");

    [Fact]
    public void AnAnonymousOperationMustSaySo() =>
        AssertViolation(Register.Replace(",\n  \"security\": []", "", StringComparison.Ordinal).Replace("\"security\": []", "\"x-none\": true", StringComparison.Ordinal), "anonymous, but does not say so");

    [Fact]
    public void AnUndescribedTagIsAViolation() =>
        AssertViolation(GetBot.Replace("[\"Bots\"]", "[\"Other\"]", StringComparison.Ordinal), "tag 'Other' has no description");

    [Fact]
    public void AServerWithATrailingSlashIsAViolation() =>
        Assert.Contains(
            Violations(Document(("/bots/{bot_id}", GetBot)).Replace("http://localhost:8000", "http://localhost:8000/", StringComparison.Ordinal)),
            v => v.Contains("ends with '/'", StringComparison.Ordinal));

    private static void AssertViolation(string operation, string expected)
    {
        var violations = Violations(Document(("/bots/{bot_id}", operation)));
        Assert.True(violations.Any(v => v.Contains(expected, StringComparison.Ordinal)), $"expected '{expected}' in: {string.Join(" | ", violations)}");
    }

    private static List<string> Violations(string json)
    {
        var (document, errors) = OpenApiContract.Parse(json);
        Assert.Empty(errors);
        return OpenApiContract.Check(document!, "Bearer", Anonymous);
    }

    private static string Document(params (string Path, string Operations)[] paths) => """
        {
          "openapi": "3.1.1",
          "info": {"title": "t", "version": "v1"},
          "servers": [{"url": "http://localhost:8000"}],
          "tags": [{"name": "Bots", "description": "Bots."}, {"name": "Other"}],
          "paths": PATHS,
          "components": {
            "schemas": {
              "ProblemDetails": {"type": "object", "properties": {"title": {"type": "string"}, "status": {"type": "integer"}}},
              "HttpValidationProblemDetails": {"type": "object", "properties": {"title": {"type": "string"}, "status": {"type": "integer"}, "errors": {"type": "object"}}}
            },
            "securitySchemes": {"Bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
          }
        }
        """.Replace("PATHS", "{" + string.Join(", ", paths.Select(p => $"\"{p.Path}\": {{{p.Operations}}}")) + "}", StringComparison.Ordinal);
}
