using System.Text.Json;
using ChatBoost.Api.Auth;
using ChatBoost.Api.Hosting;
using ChatBoost.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatBoost.UnitTests.Http;

public class JsonBodyReaderTests
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };
        ApiHost.ConfigureJson(options);
        return options;
    }

    private static (RegisterRequest? Value, IDictionary<string, string[]>? Errors, int? Status) Bind(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var (value, problem) = JsonBodyReader.Bind<RegisterRequest>(doc.RootElement, Options);
        var result = problem as ProblemHttpResult;
        return (value, (result?.ProblemDetails as HttpValidationProblemDetails)?.Errors, result?.StatusCode);
    }

    [Fact]
    public void BindsSnakeCaseFields()
    {
        var (value, errors, _) = Bind("""{"email":"a@example.com","password":"12345678","full_name":"Ann"}""");
        Assert.Null(errors);
        Assert.Equal("Ann", value!.FullName);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("role")]
    [InlineData("password_hash")]
    [InlineData("is_active")]
    public void UnknownFieldsAreRefusedByName(string field)
    {
        var (value, errors, status) = Bind($$"""{"email":"a@example.com","password":"12345678","{{field}}":"x"}""");
        Assert.Null(value);
        Assert.Equal(StatusCodes.Status422UnprocessableEntity, status);
        Assert.True(errors!.ContainsKey(field));
    }

    [Fact]
    public void WrongTypeIsReportedOnItsField()
    {
        var (_, errors, status) = Bind("""{"email":42,"password":"12345678"}""");
        Assert.Equal(422, status);
        Assert.True(errors!.ContainsKey("email"));
    }

    [Fact]
    public void MissingFieldsAreListed()
    {
        var (_, errors, _) = Bind("{}");
        Assert.True(errors!.ContainsKey("email"));
        Assert.True(errors.ContainsKey("password"));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    public void NonObjectBodiesAreRefused(string json) => Assert.Equal(422, Bind(json).Status);
}
