using System.Net;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.Testing;

namespace ChatBoost.EndToEndTests.Platform;

/// <summary>
/// The document the running API serves meets <see cref="OpenApiContract"/> on every operation it has, whichever module
/// mapped it: declared path parameters, unique Module_Verb operationIds, 4xx responses, schemas for every response.
/// </summary>
[Collection(SystemCollection.Name)]
public class OpenApiContractTests(SharedSystemFixture fixture)
{
    /// <summary>The operations callable without a token. A new anonymous operation is added here on purpose.</summary>
    private static readonly HashSet<string> Anonymous =
    [
        "Auth_Register", "Auth_VerifyEmail", "Auth_Token",
        "WhatsApp_VerifyWebhook", "WhatsApp_VerifyBotWebhook", "WhatsApp_ReceiveWebhook", "WhatsApp_ReceiveBotWebhook",
        "Notifications_WebSocket",
    ];

    [Fact]
    public async Task TheServedDocumentMeetsTheContractOnEveryOperation()
    {
        using var response = await fixture.System.Http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (document, errors) = OpenApiContract.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));

        var operations = document!.Paths.Sum(p => p.Value.Operations?.Count ?? 0);
        Assert.True(operations > 60, $"only {operations} operations: the document looks truncated");
        var violations = OpenApiContract.Check(document, "Bearer", Anonymous);
        Assert.True(violations.Count == 0, $"{violations.Count} violations:{Environment.NewLine}{string.Join(Environment.NewLine, violations)}");
    }
}
