using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatBoost.EndToEndTests.Harness;

/// <summary>Small helpers for calling the API in tests: JSON in, status and JSON out.</summary>
public static class ApiCalls
{
    public const string DefaultPassword = "correct horse battery";

    public static string UniqueEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@e2e.test";

    public static HttpRequestMessage Json(HttpMethod method, string path, object? body, string? token = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = body is string raw
                ? new StringContent(raw, Encoding.UTF8, "application/json")
                : JsonContent.Create(body);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    public static async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> CallAsync(this HttpClient http, HttpRequestMessage request)
    {
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true)
        {
            body = JsonNode.Parse(text);
        }

        return (response.StatusCode, body, response);
    }

    public static Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PostJsonAsync(this HttpClient http, string path, object? body, string? token = null) =>
        http.CallAsync(Json(HttpMethod.Post, path, body, token));

    public static Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> GetJsonAsync(this HttpClient http, string path, string? token = null) =>
        http.CallAsync(Json(HttpMethod.Get, path, null, token));

    /// <summary>
    /// Registers a new address (202), verifies it with the token from the API's log, signs in and returns the
    /// user as GET /auth/me shows it (registration's own answer carries no user: it must not tell whether
    /// the address already had one).
    /// </summary>
    public static async Task<JsonNode> RegisterAsync(this HttpClient http, string email, string password = DefaultPassword, string? fullName = null) =>
        (await http.RegisterAndSignInAsync(email, password, fullName)).User;

    private static async Task<(JsonNode User, string Token)> RegisterAndSignInAsync(this HttpClient http, string email, string password = DefaultPassword, string? fullName = null)
    {
        var system = RegistrationMail.SystemOf(http);
        var seen = system is null ? 0 : RegistrationMail.Count(system, email);
        var (status, body, _) = await http.PostJsonAsync("/auth/register", new { email, password, full_name = fullName });
        Assert.True(status == HttpStatusCode.Accepted, $"register {email}: {status} {body?.ToJsonString()}");
        if (system is not null)
        {
            await RegistrationMail.VerifyFromLogAsync(system, email, seen);
        }

        var token = await http.LoginAsync(email, password);
        var (meStatus, me, _) = await http.GetJsonAsync("/auth/me", token);
        Assert.Equal(HttpStatusCode.OK, meStatus);
        return (me!, token);
    }

    /// <summary>Registers <paramref name="email"/> unless it exists, verifies it, and signs in (the platform administrator of ADMIN_EMAILS).</summary>
    public static async Task<string> RegisterVerifiedAsync(this HttpClient http, string email, string password = DefaultPassword)
    {
        var system = RegistrationMail.SystemOf(http) ?? throw new InvalidOperationException("Not a ChatBoostSystem client.");
        var seen = RegistrationMail.Count(system, email);
        var (status, body, _) = await http.PostJsonAsync("/auth/register", new { email, password });
        Assert.True(status == HttpStatusCode.Accepted, $"register {email}: {status} {body?.ToJsonString()}");
        await RegistrationMail.VerifyFromLogAsync(system, email, seen);
        return await http.LoginAsync(email, password);
    }

    public static async Task<string> LoginAsync(this HttpClient http, string email, string password = DefaultPassword)
    {
        var (status, body, _) = await http.PostJsonAsync("/auth/token", new { username = email, password });
        Assert.True(status == HttpStatusCode.OK, $"login {email}: {status} {body?.ToJsonString()}");
        return body!["access_token"]!.GetValue<string>();
    }

    /// <summary>Registers a new user and logs in: (id, email, token).</summary>
    public static async Task<(long Id, string Email, string Token)> NewUserAsync(this HttpClient http, string prefix = "user")
    {
        var email = UniqueEmail(prefix);
        var (user, token) = await http.RegisterAndSignInAsync(email);
        return (user["id"]!.GetValue<long>(), email, token);
    }

    public static void AssertProblem(HttpStatusCode expected, (HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response) result)
    {
        Assert.True(expected == result.Status, $"expected {(int)expected}, got {(int)result.Status}: {result.Body?.ToJsonString()}");
        Assert.Equal("application/problem+json", result.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, result.Body!["status"]!.GetValue<int>());
    }

    public static string[] ErrorFields(JsonNode problem) =>
        problem["errors"] is JsonObject errors ? [.. errors.Select(e => e.Key)] : [];

    public static JsonSerializerOptions SnakeCase { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
