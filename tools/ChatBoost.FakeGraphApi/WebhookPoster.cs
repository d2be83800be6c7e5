using ChatBoost.WhatsApp;
using System.Net.Http.Headers;

namespace ChatBoost.FakeGraphApi;

/// <summary>POSTs a webhook body to the system under test, signed like Meta signs it.</summary>
public sealed class WebhookPoster(HttpClient http)
{
    public sealed record Outcome(int HttpStatus, string? Error);

    /// <param name="signature">null: sign with <paramref name="appSecret"/>; "": send no signature header; else this exact header value.</param>
    public async Task<Outcome> PostAsync(string url, byte[] body, string? appSecret, string? signature, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var header = signature ?? WebhookSignature.Compute(body, appSecret!);
        if (header.Length > 0)
        {
            request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, header);
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return new Outcome((int)response.StatusCode, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Outcome(0, e.Message);
        }
    }
}
