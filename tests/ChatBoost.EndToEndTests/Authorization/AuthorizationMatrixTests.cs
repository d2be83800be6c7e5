using System.Text.Json.Nodes;
using System.Net;
using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>Every row of the matrix, every caller: the exact status.</summary>
public static class AuthorizationMatrix
{
    /// <summary>All modules' endpoints. A module adds its rows here.</summary>
    public static IEnumerable<EndpointCase> Endpoints() => PlatformEndpointCases.All().Concat(DashboardEndpointCases.All()).Concat(AuthEndpointCases.All()).Concat(TeamEndpointCases.All()).Concat(BotEndpointCases.All()).Concat(WhatsAppEndpointCases.All()).Concat(WebhookEndpointCases.All()).Concat(FlowEngineEndpointCases.All()).Concat(AnalyticsEndpointCases.All()).Concat(TriggerEndpointCases.All()).Concat(NotificationEndpointCases.All());
}

[Collection(SecondSystemCollection.Name)]
public class AuthorizationMatrixTests(SharedSystemFixture fixture)
{
    private static readonly Dictionary<string, EndpointCase> ByName = AuthorizationMatrix.Endpoints().ToDictionary(e => e.Name);
    private static readonly SemaphoreSlim SharedGate = new(1, 1);
    private static MatrixScene? _shared;

    public static TheoryData<string, Caller> Cases()
    {
        var data = new TheoryData<string, Caller>();
        foreach (var endpoint in AuthorizationMatrix.Endpoints())
        {
            Assert.Equal(Enum.GetValues<Caller>().Length, endpoint.Expected.Count);
            foreach (var caller in Enum.GetValues<Caller>())
            {
                data.Add(endpoint.Name, caller);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task CallerGetsTheExactStatus(string endpoint, Caller caller)
    {
        var row = ByName[endpoint];
        var scene = row.Mutates || row.Setup is not null ? await MatrixScene.CreateAsync(fixture.System) : await SharedSceneAsync();
        if (row.Setup is not null)
        {
            await row.Setup(scene);
        }

        var (method, path, body) = row.Request(scene);
        var token = caller == Caller.Anonymous ? null : scene.Users.Callers[caller].Token;
        HttpStatusCode status;
        JsonNode? problem = null;
        if (row.Streams)
        {
            // A response that never ends: read the status line only (the recorder buffers whole bodies).
            using var plain = new HttpClient { BaseAddress = fixture.System.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            using var response = await plain.SendAsync(ApiCalls.Json(method, path, body, token), HttpCompletionOption.ResponseHeadersRead);
            status = response.StatusCode;
        }
        else
        {
            (status, problem, _) = await fixture.System.Http.CallAsync(ApiCalls.Json(method, path, body, token));
        }

        var expected = row.Expected[caller];
        Assert.True(expected == status, $"{endpoint} as {caller}: expected {(int)expected}, got {(int)status} {problem?.ToJsonString()}");
    }

    private async Task<MatrixScene> SharedSceneAsync()
    {
        await SharedGate.WaitAsync();
        try
        {
            if (_shared is null || _shared.System != fixture.System)
            {
                _shared = await MatrixScene.CreateAsync(fixture.System);
            }

            return _shared;
        }
        finally
        {
            SharedGate.Release();
        }
    }
}
