using ChatBoost.Configuration;
using Microsoft.Extensions.Options;
using System.Globalization;
using ChatBoost.Api.Bots;
using ChatBoost.Api.Http;
using ChatBoost.Api.Organizations;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.WhatsApp;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Orleans.Runtime;
using static ChatBoost.Grains.Interfaces.Organizations.Permissions;

namespace ChatBoost.Api.WhatsApp;

/// <summary>
/// The seed's WhatsApp sends (<c>POST /whatsapp/send/template|text|media|interactive?bot_id=</c>, permission
/// <c>messages.send</c>) and history (<c>GET /whatsapp/messages/{bot_id}</c>, <c>messages.read</c>), both in the
/// organization that owns the bot.
/// </summary>
public static class SendEndpoints
{
    public const string Tag = "WhatsApp";

    private const string SendDescription =
        "Sends to the contact 'to' through the bot's WhatsApp number (the bot's credentials, else the WHATSAPP_* defaults). " +
        "Sends to one contact leave strictly in order. The message is recorded as queued before the call to Meta, then sent " +
        "(200 with message_id, wa_message_id) or failed. Errors: 404 unknown bot; 409 bot not WhatsApp-enabled, without " +
        "credentials, or with credentials marked invalid after Meta rejected the access token (update the access token); " +
        "422 invalid body, or a free-form message outside the 24-hour customer-service window (Meta is not called); " +
        "502 Meta refused the message (meta_code, meta_message, message_id); 503 Meta stayed unavailable or throttled " +
        "through the retries, or the number had no send slot before the deadline (Retry-After). 202 with status in_doubt: " +
        "the outcome is unknown (a timeout): Meta may have it, it is never sent again, its status follows in the history. " +
        "Optional header Idempotency-Key (1-200 visible ASCII characters, 422 otherwise): the same key for the same bot " +
        "and contact is the same send - at most one attempt, the same answer every time.";

    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public const int MaxIdempotencyKeyLength = 200;

    public static RouteGroupBuilder MapWhatsAppSendEndpoints(this IEndpointRouteBuilder app)
    {
        var whatsapp = app.MapGroup("/whatsapp").WithModuleTag(
            Tag, "Sending WhatsApp messages through a bot (24-hour window, per-number rate limit, Idempotency-Key) and a bot's message history.");

        MapSend<SendTemplateRequest>(whatsapp, "template", "WhatsApp_SendTemplate", "Send a template message (allowed outside the 24-hour window)");
        MapSend<SendTextRequest>(whatsapp, "text", "WhatsApp_SendText", "Send a text message");
        MapSend<SendMediaRequest>(whatsapp, "media", "WhatsApp_SendMedia", "Send an image, video, audio, document or sticker by media_id or link");
        MapSend<SendInteractiveRequest>(whatsapp, "interactive", "WhatsApp_SendInteractive", "Send reply buttons or a list");

        whatsapp.MapGet("/messages/{bot_id:long}", async ([FromRoute(Name = "bot_id")] long botId, HttpContext http, IClusterClient cluster) =>
            {
                var errors = new ValidationErrors();
                var limit = ParseLimit(http.Request.Query["limit"].ToString(), errors);
                var cursor = http.Request.Query["cursor"].ToString();
                var contact = http.Request.Query["contact"].ToString().Trim().TrimStart('+');
                if (contact.Length > 64 || contact.Any(c => !char.IsAsciiDigit(c)))
                {
                    errors.Add("contact", "Must be the contact's WhatsApp id (digits).");
                }

                if (cursor.Length > 64)
                {
                    errors.Add("cursor", "Not a cursor this API returned (use next_cursor from a previous page).");
                }

                if (errors.Any)
                {
                    return errors.ToResult();
                }

                var result = await cluster.GetGrain<IMessageHistoryGrain>(0).ListAsync(
                    botId, contact.Length == 0 ? null : contact, limit, cursor.Length == 0 ? null : cursor);
                return result.ToHttp(page => TypedResults.Ok(new MessagePageResponse([.. page.Items.Select(MessageResponse.From)], page.NextCursor)));
            })
            .RequireOrganizationPermission(MessagesRead, BotAccess.OfRouteBot)
            .WithName("WhatsApp_ListMessages")
            .Produces<MessagePageResponse>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .WithQueryParameter("limit", JsonSchemaType.Integer, "Page size, 1 to 200 (default 50).", format: "int32")
            .WithQueryParameter("cursor", JsonSchemaType.String, "next_cursor of the previous page.")
            .WithQueryParameter("contact", JsonSchemaType.String, "Only this contact's conversation (their WhatsApp id, digits).")
            .WithSummary("A bot's message history, newest first (limit ≤ 200, default 50; cursor; contact filter)")
            .WithDescription("Inbound and outbound messages with their delivery status. Pass next_cursor as cursor for the next page; " +
                "contact filters to one customer's conversation. 422 for a bad limit or cursor.");

        return whatsapp;
    }

    private static void MapSend<T>(RouteGroupBuilder group, string kind, string name, string summary)
        where T : SendRequestBase
    {
        group.MapPost($"/send/{kind}", (Body<T> body, HttpContext http, IClusterClient cluster, IOptions<ClusterSettings> clusterSettings) =>
                SendAsync(body.Value, http, cluster, clusterSettings.Value))
            .RequireBotIdQuery()
            .RequireOrganizationPermission(MessagesSend, http => BotAccess.OfBot(http, BotAccess.QueryId(http, "bot_id", out _)))
            .WithName(name)
            .WithSummary(summary)
            .WithDescription(SendDescription)
            .WithQueryParameter("bot_id", JsonSchemaType.Integer, "The bot that sends.", required: true, format: "int64")
            .WithRequestHeader(IdempotencyKeyHeader, $"Optional: 1 to {MaxIdempotencyKeyLength} visible ASCII characters; a retry with the same key answers the same and never sends twice.")
            .Produces<SendResponse>()
            .Produces<SendInDoubtResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway);
    }

    private static async Task<IResult> SendAsync(SendRequestBase body, HttpContext http, IClusterClient cluster, ClusterSettings settings)
    {
        var botId = BotAccess.QueryId(http, "bot_id", out _)!.Value;
        var key = http.Request.Headers[IdempotencyKeyHeader];
        if (key.Count > 1 || (key.Count == 1 && !IsIdempotencyKey(key[0])))
        {
            var errors = new ValidationErrors();
            errors.Add(IdempotencyKeyHeader, $"Must be one value of 1 to {MaxIdempotencyKeyLength} visible ASCII characters.");
            return errors.ToResult();
        }

        // The grain must finish (send or give up) before this request's grain call times out: otherwise we would
        // answer 503 for a message that still goes out, and the client's retry would send it twice.
        var notAfter = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(Math.Max(1, settings.ResponseTimeoutSeconds - 2));
        var idempotencyKey = key.Count == 1 ? key[0] : null;
        var waId = body.ContactWaId();
        var messageId = idempotencyKey is null ? Guid.NewGuid() : OutboundIds.ForApi(botId, waId, idempotencyKey);
        var command = body.ToCommand() with { NotAfter = notAfter, IdempotencyKey = idempotencyKey, MessageId = messageId };
        SendOutcome outcome;
        try
        {
            outcome = await cluster.GetGrain<IContactGrain>(botId, waId, null).SendAsync(command);
        }
        catch (Exception e) when (MayHaveStarted(e))
        {
            // The grain answers by the deadline, but an answer can still arrive late (a loaded or dying silo). The send may
            // have gone out: "in doubt" with its id, never a 503 whose retry would send it twice.
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SendEndpoints))
                .LogWarning("Send {MessageId} of bot {BotId}: no answer from the cluster ({Error}); answered in doubt",
                    messageId, botId, e.GetType().Name);
            outcome = new SendOutcome(SendStatus.InDoubt, messageId, null, UnansweredDetail);
        }

        return ToHttp(outcome, http);
    }

    internal const string UnansweredDetail =
        "The cluster did not answer before the request's deadline, so the send may have gone out; its outcome will be in the " +
        "message history (a retry with the same Idempotency-Key answers it without sending again).";

    /// <summary>
    /// A failure after which the send may have started: the call timed out, or its silo died with it in flight. (A call
    /// refused before it reached a silo — no gateway, rejected — surely sent nothing and stays a 503.)
    /// </summary>
    internal static bool MayHaveStarted(Exception exception) =>
        exception is TimeoutException or SiloUnavailableException or OrleansException { InnerException: TimeoutException };

    /// <summary>An Idempotency-Key: 1–200 characters, each visible ASCII (! to ~).</summary>
    internal static bool IsIdempotencyKey(string? key) =>
        key is { Length: > 0 and <= MaxIdempotencyKeyLength } && key.All(c => c is >= '!' and <= '~');

    internal static IResult ToHttp(SendOutcome outcome, HttpContext http)
    {
        switch (outcome.Status)
        {
            case SendStatus.Sent:
                return TypedResults.Ok(new SendResponse(outcome.MessageId!.Value, outcome.WaMessageId!, "sent"));
            case SendStatus.InDoubt:
                return TypedResults.Accepted((string?)null,
                    new SendInDoubtResponse(outcome.MessageId!.Value, null, "in_doubt", outcome.Detail ?? "The outcome is unknown."));
            case SendStatus.Throttled:
                http.Response.Headers.RetryAfter = (outcome.RetryAfterSeconds ?? 1).ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(outcome.Detail, statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "No send slot before the deadline.",
                    extensions: new Dictionary<string, object?> { ["code"] = "throttled", ["message_id"] = outcome.MessageId });
            case SendStatus.BotNotFound:
                return BotEndpoints.NotFound(outcome.Detail ?? "Not found.");
            case SendStatus.BotCannotSend:
                return Problems.Conflict(outcome.Detail ?? "The bot cannot send.");
            case SendStatus.Invalid:
                return Problems.Validation("$", outcome.Detail ?? "Invalid message.");
            case SendStatus.OutsideWindow:
                return TypedResults.Problem(
                    outcome.Detail,
                    statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "Outside the customer-service window.",
                    extensions: new Dictionary<string, object?> { ["code"] = "outside_customer_service_window" });
            case SendStatus.OptedOut:
                return TypedResults.Problem(
                    outcome.Detail,
                    statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "The contact opted out.",
                    extensions: new Dictionary<string, object?> { ["code"] = "contact_opted_out" });
            case SendStatus.MetaUnavailable:
                http.Response.Headers.RetryAfter = (outcome.RetryAfterSeconds ?? 5).ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(outcome.Detail, statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "WhatsApp unavailable.", extensions: MetaExtensions(outcome));
            default:
                return TypedResults.Problem(outcome.Detail, statusCode: StatusCodes.Status502BadGateway,
                    title: "WhatsApp refused the message.", extensions: MetaExtensions(outcome));
        }
    }

    private static Dictionary<string, object?> MetaExtensions(SendOutcome outcome) => new()
    {
        ["message_id"] = outcome.MessageId,
        ["meta_code"] = outcome.MetaCode,
        ["meta_message"] = outcome.MetaMessage,
    };

    private static int ParseLimit(string raw, ValidationErrors errors)
    {
        if (raw.Length == 0)
        {
            return Paging.DefaultLimit;
        }

        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > Paging.MaxLimit)
        {
            errors.Add("limit", $"Must be a whole number from 1 to {Paging.MaxLimit}.");
            return Paging.DefaultLimit;
        }

        return limit;
    }

    /// <summary>422 unless <c>bot_id</c> is a positive integer, before the permission check (which would say 404).</summary>
    private static RouteHandlerBuilder RequireBotIdQuery(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            if (BotAccess.QueryId(context.HttpContext, "bot_id", out var present) is not > 0)
            {
                var errors = new ValidationErrors();
                errors.Add("bot_id", present ? "Must be a positive integer id." : "The query parameter bot_id is required.");
                return errors.ToResult();
            }

            return await next(context);
        });
}
