namespace ChatBoost.Grains.Interfaces.Notifications;

/// <summary>Whether one type of notification goes to each channel.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.notifications.ChannelPreference")]
public sealed record ChannelPreference(
    [property: Id(0)] bool InApp,
    [property: Id(1)] bool WebSocket,
    [property: Id(2)] bool Email);

/// <summary>
/// One user's notification preferences. <see cref="Types"/> holds an entry for every type (missing ones take
/// <see cref="Defaults"/>). <see cref="AllMessageStatusChanges"/>: every delivery status, not only failures;
/// <see cref="FlowCompleted"/>: completed executions too, not only failures; <see cref="Coalesce"/>: a burst of similar
/// events within a short window becomes one notification with a count; <see cref="Digest"/>: a periodic e-mail digest
/// (off by default).
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.notifications.NotificationPreferences")]
public sealed record NotificationPreferences(
    [property: Id(0)] IReadOnlyDictionary<string, ChannelPreference> Types,
    [property: Id(1)] bool AllMessageStatusChanges,
    [property: Id(2)] bool FlowCompleted,
    [property: Id(3)] bool Coalesce,
    [property: Id(4)] bool Digest)
{
    /// <summary>Every type in the inbox and on the WebSocket, no e-mail, failures only, bursts coalesced, no digest.</summary>
    public static NotificationPreferences Defaults { get; } = new(
        NotificationTypes.All.ToDictionary(t => t, _ => new ChannelPreference(InApp: true, WebSocket: true, Email: false), StringComparer.Ordinal),
        AllMessageStatusChanges: false,
        FlowCompleted: false,
        Coalesce: true,
        Digest: false);

    /// <summary>The channels of <paramref name="type"/> (the default for a type not listed).</summary>
    public ChannelPreference For(string type) =>
        Types.TryGetValue(type, out var channels) ? channels : Defaults.Types.GetValueOrDefault(type) ?? new ChannelPreference(true, true, false);
}
