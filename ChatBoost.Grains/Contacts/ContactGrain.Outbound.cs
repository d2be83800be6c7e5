using ChatBoost.Grains.Bots;
using ChatBoost.Grains.Interfaces.WhatsApp;
using ChatBoost.Grains.WhatsApp;
using ChatBoost.Grains.WhatsApp.MessageStore;
using ChatBoost.Grains.WhatsApp.Outbound;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Contacts;

/// <summary>
/// The outbound side of the contact grain: check the bot and the 24-hour window, record the message in the outbox
/// (<c>queued</c>), send through the one WhatsApp client (classified retries and the cluster-wide per-number pacing are
/// inside it), then mark it <c>sent</c> or <c>failed</c>. The grain handles one call at a time, so sends to one contact
/// leave in the order they were asked for.
/// </summary>
/// <remarks>
/// A refused free-form send outside the window writes no outbox row: nothing was attempted and the caller gets the
/// 422 synchronously; the history only holds what was handed to Meta (or tried to be). After a crash between the
/// <c>queued</c> row and the answer, the row stays <c>queued</c>: at most that one send is in doubt.
/// </remarks>
public sealed partial class ContactGrain
{
    /// <summary>WhatsApp's customer-service window: free-form messages only within it after the customer's last message.</summary>
    public static readonly TimeSpan CustomerServiceWindow = TimeSpan.FromHours(24);

    public const string OutsideWindowDetail = "outside the 24-hour customer-service window: only template messages can be sent";

    private WhatsAppCloudClient? _whatsApp;
    private MessageStatusWriter? _outbox;
    private ILogger? _outboundLogger;

    private WhatsAppCloudClient WhatsApp => _whatsApp ??= ServiceProvider.GetRequiredService<WhatsAppCloudClient>();

    private MessageStatusWriter Outbox => _outbox ??= ServiceProvider.GetRequiredService<MessageStatusWriter>();

    private ILogger OutboundLogger => _outboundLogger ??= ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("ChatBoost.Grains.Contacts.ContactGrain.Outbound");

    private const string DeadlineDetail = "The send could not start before the request's deadline (the number's rate limit or this contact's earlier sends); it was not sent. Try again.";

    public const string OptedOutDetail =
        "the contact opted out of messages: outside the 24-hour window (the customer's own message) nothing may be sent to them";

    public async Task<SendOutcome> SendAsync(SendCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_contact is { OptedIn: false } && !WithinWindow())
        {
            return SendOutcome.Refused(SendStatus.OptedOut, OptedOutDetail);
        }

        return await SendCoreAsync(OutboundMapping.ToOutbound(WaId, command), command.NotAfter, command.IdempotencyKey);
    }

    private bool WithinWindow() => LastInboundAt is { } last && time.GetUtcNow() - last <= CustomerServiceWindow;

    /// <summary>The one way out, for the send API and for flows: checks, outbox, the call, the outcome recorded.</summary>
    private async Task<SendOutcome> SendCoreAsync(OutboundMessage message, DateTimeOffset? notAfter, string? idempotencyKey = null)
    {
        // The outbound sender owns the outbox (idempotent by client id); the window is the contact's to check.
        var sender = ServiceProvider.GetRequiredService<OutboundSender>();
        var clientMessageId = idempotencyKey is null ? Guid.NewGuid() : OutboundIds.ForApi(BotId, WaId, idempotencyKey);
        if (!message.IsTemplate && !WithinWindow())
        {
            return (await sender.CheckAsync(clientMessageId, BotId, message))?.ToSendOutcome()
                ?? SendOutcome.Refused(SendStatus.OutsideWindow, OutsideWindowDetail);
        }

        var organizationId = (await GrainFactory.GetGrain<IBotCredentialsGrain>(BotId).GetEffectiveCredentialsAsync())?.OrganizationId ?? 0;
        var result = await sender.SendAsync(new OutboundSend(clientMessageId, BotId, organizationId, WaId, message, notAfter), CancellationToken.None);
        return result.ToSendOutcome();
    }

    /// <summary>
    /// Marks the outbox row after the call. A failure here (database unavailable) leaves the row <c>queued</c> — the
    /// "in doubt" state a crash would leave too — and is logged; it does not change what Meta did.
    /// </summary>
    private async Task TryMarkAsync(Guid messageId, Func<Task<bool>> mark)
    {
        try
        {
            await mark();
        }
        catch (Exception e)
        {
            OutboundLogger.LogError(e, "Send {MessageId} of bot {BotId}: the outcome could not be recorded; the message stays queued", messageId, BotId);
        }
    }
}

/// <summary>Maps the API's <see cref="SendCommand"/> to the WhatsApp client's <see cref="OutboundMessage"/>.</summary>
internal static class OutboundMapping
{
    public static OutboundMessage ToOutbound(string to, SendCommand c) => c.Type switch
    {
        "text" => new OutboundText(to, c.Text ?? "", c.PreviewUrl),
        "template" => new OutboundTemplate(to, c.TemplateName ?? "", c.LanguageCode ?? "", c.Components?.Select(Component).ToList()),
        "image" => Media(to, MediaKind.Image, c),
        "video" => Media(to, MediaKind.Video, c),
        "audio" => Media(to, MediaKind.Audio, c),
        "document" => Media(to, MediaKind.Document, c),
        "sticker" => Media(to, MediaKind.Sticker, c),
        "button" => new OutboundButtons(to, c.Text ?? "", [.. (c.Buttons ?? []).Select(b => new ReplyButton(b.Id, b.Title))], c.Header, c.Footer),
        "list" => new OutboundList(to, c.Text ?? "", c.ListButton ?? "",
            [.. (c.Sections ?? []).Select(s => new ListSection(s.Title, [.. s.Rows.Select(r => new ListRow(r.Id, r.Title, r.Description))]))],
            c.Header, c.Footer),
        _ => throw new ArgumentException($"Unknown message type '{c.Type}'.", nameof(c)),
    };

    /// <summary>The stored <c>message_type</c>: the Graph API's type (<c>interactive</c> for buttons and lists).</summary>
    public static string MessageType(OutboundMessage m) => m switch
    {
        OutboundText => "text",
        OutboundTemplate => "template",
        OutboundMedia media => media.Kind.ToString().ToLowerInvariant(),
        _ => "interactive",
    };

    /// <summary>The stored <c>text</c>: what a person reads first.</summary>
    public static string? Text(OutboundMessage m) => m switch
    {
        OutboundText t => t.Body,
        OutboundTemplate t => t.Name,
        OutboundMedia media => media.Caption,
        OutboundButtons b => b.Body,
        OutboundList l => l.Body,
        _ => null,
    };

    private static OutboundMedia Media(string to, MediaKind kind, SendCommand c) => new(to, kind, c.MediaId, c.Link, c.Caption, c.Filename);

    private static TemplateComponent Component(SendTemplateComponent c) =>
        new(c.Type, [.. c.Parameters.Select(p => new TemplateParameter(p.Type, p.Value, p.ParameterName, p.MediaId, p.Link, p.Filename))], c.SubType, c.Index);
}
