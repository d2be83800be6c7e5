namespace ChatBoost.Grains.Flows.Http;

/// <summary>
/// A rendered request of a <c>webhook_action</c> step: placeholders already replaced. <see cref="Timeout"/> of zero or
/// less means <see cref="WebhookCallerOptions.DefaultTimeout"/>. Header values and <see cref="JsonBody"/> may hold
/// secrets: they are never logged.
/// </summary>
public sealed record WebhookRequest(
    string Method,
    string Url,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string? JsonBody,
    TimeSpan Timeout)
{
    /// <summary>The bot whose flow makes the call: its organization's allow-list entries apply besides the platform's.
    /// Null: the platform list only.</summary>
    public long? BotId { get; init; }
}
