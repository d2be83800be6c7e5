using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.WhatsApp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Bots;

/// <summary>What Meta said when asked whether an access token reaches a phone number id.</summary>
public enum PhoneNumberProbeOutcome
{
    /// <summary>200 with the same id: the token's business owns (or manages) the number.</summary>
    Reached,

    /// <summary>Meta's code 100 (subcode 33): the number does not exist or the token has no permission on it.</summary>
    NotReached,

    /// <summary>Meta's code 190 and kin: the token itself is not valid.</summary>
    TokenRejected,
}

/// <summary>Asks the Graph API <c>GET /{version}/{phone_number_id}</c> with a bot's access token. Throws
/// <see cref="DependencyUnavailableException"/> when Meta cannot be asked (the caller answers 503 and the client retries).</summary>
public interface IPhoneNumberProbe
{
    Task<PhoneNumberProbeOutcome> ProbeAsync(string phoneNumberId, string accessToken, string apiVersion, CancellationToken cancellationToken = default);
}

/// <summary>The HTTP <see cref="IPhoneNumberProbe"/>: one attempt, 5 seconds, no retries (a person is waiting on PUT /bots).</summary>
public sealed partial class GraphPhoneNumberProbe(HttpClient http, IOptionsMonitor<WhatsAppClientOptions> options, ILogger<GraphPhoneNumberProbe> logger) : IPhoneNumberProbe
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<PhoneNumberProbeOutcome> ProbeAsync(string phoneNumberId, string accessToken, string apiVersion, CancellationToken cancellationToken = default)
    {
        var version = WhatsAppClientOptions.IsValidApiVersion(apiVersion) ? apiVersion : options.CurrentValue.ApiVersion;
        var root = options.CurrentValue.ApiBaseUrl.TrimEnd('/');
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"{root}/{Uri.EscapeDataString(version)}/{Uri.EscapeDataString(phoneNumberId)}?fields=id,display_phone_number,verified_name");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            var outcome = Classify(response.StatusCode, body, phoneNumberId);
            LogOutcome(logger, phoneNumberId, (int)response.StatusCode, outcome?.ToString() ?? "unavailable");
            return outcome ?? throw new DependencyUnavailableException("The WhatsApp Graph API could not confirm the phone number id right now; retry later.");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogOutcome(logger, phoneNumberId, 0, e.GetType().Name);
            throw new DependencyUnavailableException("The WhatsApp Graph API could not be reached to confirm the phone number id; retry later.");
        }
    }

    /// <summary>Meta's answer → outcome; null when it is a server-side failure or unreadable (not a verdict on the claim).</summary>
    public static PhoneNumberProbeOutcome? Classify(HttpStatusCode status, ReadOnlySpan<byte> body, string phoneNumberId)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (int)status >= 500 ? null : status is HttpStatusCode.Unauthorized ? PhoneNumberProbeOutcome.TokenRejected : null;
        }

        if (status == HttpStatusCode.OK)
        {
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                && id.GetString() == phoneNumberId
                ? PhoneNumberProbeOutcome.Reached
                : PhoneNumberProbeOutcome.NotReached;
        }

        if ((int)status >= 500)
        {
            return null;
        }

        var code = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
            && error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : (int?)null;
        return code switch
        {
            190 or 102 or 463 or 467 => PhoneNumberProbeOutcome.TokenRejected,
            4 or 17 or 32 or 613 or 80007 or 130429 or 1 or 2 => null, // rate limits and transient errors: ask again later
            _ when status == HttpStatusCode.Unauthorized => PhoneNumberProbeOutcome.TokenRejected,
            _ => PhoneNumberProbeOutcome.NotReached,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Phone number id {PhoneNumberId}: Graph API ownership check answered HTTP {HttpStatus} ({Outcome})")]
    private static partial void LogOutcome(ILogger logger, string phoneNumberId, int httpStatus, string outcome);
}
