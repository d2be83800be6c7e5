using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ChatBoost.FakeGraphApi;

/// <summary>The Graph API surface: send a message, upload media, look media or a phone number up, download media.</summary>
public sealed class GraphEndpoints(FakeGraphState state, TimeProvider time)
{
    private const int MaxBodyBytes = 1024 * 1024;
    private const int MaxMediaBytes = 16 * 1024 * 1024;
    private const int MaxRecordedBodyChars = 64 * 1024;

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/{version}/{phoneNumberId}/messages", (HttpContext http, string phoneNumberId) => SendAsync(http, phoneNumberId));
        app.MapPost("/{version}/{phoneNumberId}/media", (HttpContext http, string phoneNumberId) => UploadAsync(http, phoneNumberId));
        app.MapGet("/{version}/{objectId}", (HttpContext http, string objectId) => GetObject(http, objectId));
        app.MapGet("/_fake/media/{mediaId}/download", (HttpContext http, string mediaId) => Download(http, mediaId));
    }

    private async Task<IResult> SendAsync(HttpContext http, string phoneNumberId)
    {
        var raw = await ReadBodyAsync(http.Request, MaxBodyBytes);
        var body = raw is null ? null : Json.ParseObject(raw);
        var to = Json.Str(body, "to") ?? Json.Str(body, "recipient");
        var bodyText = raw is null ? null : Encoding.UTF8.GetString(raw);

        var failure = Authenticate(http.Request)
            ?? (raw is null ? GraphFailure.Invalid("The request body is larger than 1 MB.") : null)
            ?? (body is null ? GraphFailure.Invalid("The request body is not a JSON object.") : null)
            ?? Injected(phoneNumberId);
        if (failure is not null)
        {
            return Fail(http, phoneNumberId, to, bodyText, failure);
        }

        if (Json.Str(body, "status") == "read")
        {
            return Json.Str(body, "message_id") is null
                ? Fail(http, phoneNumberId, to, bodyText, GraphFailure.Missing("The parameter message_id is required."))
                : Succeed(http, phoneNumberId, to, bodyText, new JsonObject { ["success"] = true });
        }

        var (type, invalid) = SendBodyValidator.Validate(body!);
        if (invalid is not null)
        {
            return Fail(http, phoneNumberId, to, bodyText, invalid);
        }

        var now = time.GetUtcNow();
        if (type != "template" && state.Options.EnforceCustomerWindow && !state.IsCustomerWindowOpen(phoneNumberId, to!, now))
        {
            return Fail(http, phoneNumberId, to, bodyText, new GraphFailure(400, GraphFailure.ReEngagement,
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number."));
        }

        if (!state.TryAdmitSend(phoneNumberId, now))
        {
            return Fail(http, phoneNumberId, to, bodyText, new GraphFailure(400, GraphFailure.Throughput,
                "Message failed to send because there were too many messages sent from this phone number in a short period of time."));
        }

        // Accepted. A held answer waits for /_fake/release-sends even if the client gave up (Meta has the message).
        var wamid = WebhookPayloads.NewWaMessageId();
        state.Holds.RememberCallback(wamid, Json.Str(body, "biz_opaque_callback_data"));
        await state.Holds.WaitIfHeldAsync();
        var message = new JsonObject { ["id"] = wamid };
        if (type == "template")
        {
            message["message_status"] = "accepted";
        }

        return Succeed(http, phoneNumberId, to, bodyText, new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["contacts"] = new JsonArray(new JsonObject { ["input"] = to, ["wa_id"] = FakeGraphState.Digits(to!) }),
            ["messages"] = new JsonArray(message),
        });
    }

    private async Task<IResult> UploadAsync(HttpContext http, string phoneNumberId)
    {
        var failure = Authenticate(http.Request);
        if (failure is null && !http.Request.HasFormContentType)
        {
            failure = GraphFailure.Missing("Upload the media as multipart/form-data with file, type and messaging_product.");
        }

        IFormFile? file = null;
        if (failure is null)
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            file = form.Files.GetFile("file");
            failure = form["messaging_product"] != "whatsapp" ? GraphFailure.Invalid("The parameter messaging_product is required and must be 'whatsapp'.")
                : file is null || file.Length == 0 ? GraphFailure.Missing("The parameter file is required.")
                : file.Length > MaxMediaBytes ? GraphFailure.Invalid("The file is larger than 16 MB.")
                : null;
        }

        if (failure is not null)
        {
            return Fail(http, phoneNumberId, null, null, failure);
        }

        using var content = new MemoryStream();
        await file!.CopyToAsync(content, http.RequestAborted);
        var bytes = content.ToArray();
        var mimeType = http.Request.Form["type"].FirstOrDefault() ?? file.ContentType;
        var media = new StoredMedia(WebhookPayloads.NewMediaId(), mimeType, bytes, Convert.ToBase64String(SHA256.HashData(bytes)));
        state.AddMedia(media);
        return Succeed(http, phoneNumberId, null, $"(multipart: {file.FileName}, {bytes.Length} bytes, {mimeType})", new JsonObject { ["id"] = media.Id });
    }

    /// <summary>Like Meta, one path for every node: a media id the fake stored, else a phone number id the token reaches.</summary>
    private IResult GetObject(HttpContext http, string objectId)
    {
        if (Authenticate(http.Request) is { } failure)
        {
            return Fail(http, null, null, null, failure);
        }

        if (state.FindMedia(objectId) is { } media)
        {
            var request = http.Request;
            return Succeed(http, null, null, null, new JsonObject
            {
                ["messaging_product"] = "whatsapp",
                ["url"] = $"{request.Scheme}://{request.Host}/_fake/media/{media.Id}/download",
                ["mime_type"] = media.MimeType,
                ["sha256"] = media.Sha256,
                ["file_size"] = media.Content.Length,
                ["id"] = media.Id,
            });
        }

        if (state.FindPhoneNumber(objectId, BearerToken(http.Request)!) is { } number)
        {
            // Recorded without a phone number id, like media look-ups: /_fake/requests?phone_number_id= lists sends only.
            return Succeed(http, null, null, null, new JsonObject
            {
                ["verified_name"] = number.VerifiedName,
                ["display_phone_number"] = number.DisplayPhoneNumber,
                ["id"] = number.Id,
            });
        }

        var unsupported = GraphFailure.UnsupportedGet(objectId);
        Record(http, null, null, null, 400, GraphFailure.InvalidParameter, unsupported.ToJsonString());
        return Json.Result(unsupported, 400);
    }

    private IResult Download(HttpContext http, string mediaId)
    {
        var failure = Authenticate(http.Request);
        var media = state.FindMedia(mediaId);
        if (failure is not null)
        {
            return Fail(http, null, null, null, failure);
        }

        Record(http, null, null, null, media is null ? 404 : 200, null, null);
        return media is null ? Results.NotFound() : Results.Bytes(media.Content, media.MimeType);
    }

    private GraphFailure? Authenticate(HttpRequest request)
    {
        var token = BearerToken(request);
        if (string.IsNullOrEmpty(token))
        {
            return new GraphFailure(401, GraphFailure.AccessToken, "Invalid OAuth access token - Cannot parse access token");
        }

        if (state.Options.ExpiredTokens.Contains(token))
        {
            return new GraphFailure(401, GraphFailure.AccessToken, "Session has expired.");
        }

        return state.Options.ValidTokens is { } valid && !valid.Contains(token)
            ? new GraphFailure(401, GraphFailure.AccessToken, "Invalid OAuth access token.")
            : null;
    }

    private GraphFailure? Injected(string phoneNumberId) => state.TakeFailure(phoneNumberId) is { } injected
        ? new GraphFailure(injected.HttpStatus, injected.Code, injected.Details ?? GraphFailure.KnownTitle(injected.Code), injected.Message)
        : null;

    private IResult Fail(HttpContext http, string? phoneNumberId, string? to, string? body, GraphFailure failure)
    {
        var json = failure.ToJson();
        Record(http, phoneNumberId, to, body, failure.HttpStatus, failure.Code, json.ToJsonString());
        return Json.Result(json, failure.HttpStatus);
    }

    private IResult Succeed(HttpContext http, string? phoneNumberId, string? to, string? body, JsonObject response)
    {
        Record(http, phoneNumberId, to, body, 200, null, response.ToJsonString());
        return Json.Result(response);
    }

    private void Record(HttpContext http, string? phoneNumberId, string? to, string? body, int status, int? code, string? response)
    {
        var token = BearerToken(http.Request);
        var headers = http.Request.Headers
            .Where(h => !h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        if (body is { Length: > MaxRecordedBodyChars })
        {
            body = body[..MaxRecordedBodyChars];
        }

        var now = time.GetUtcNow();
        state.Record(sequence => new RecordedRequest(
            sequence, now, http.Request.Method, http.Request.Path.Value ?? "", phoneNumberId, to,
            http.Request.Headers.Authorization.Count > 0, token is { Length: >= 4 } ? token[^4..] : null,
            headers, body, status, code, response));
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    /// <summary>The body, or null when it is larger than <paramref name="max"/> bytes.</summary>
    public static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int max)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
