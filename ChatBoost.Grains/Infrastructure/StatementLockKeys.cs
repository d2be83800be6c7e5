using System.Globalization;

namespace ChatBoost.Grains.Infrastructure;

/// <summary>
/// The <see cref="BatchedStatement{T}.LockKey"/> of each kind of shared row, built in one place so that every unit that locks
/// a row names it the same way.
/// </summary>
public static class StatementLockKeys
{
    /// <summary>A contact's commit: its <c>contacts</c> row, attributes and executions.</summary>
    public static string Contact(long botId, string waId) => string.Create(CultureInfo.InvariantCulture, $"contact:{botId}/{waId}");

    /// <summary>An outbound message row, by its client id (the outbox's key).</summary>
    public static string Message(Guid clientMessageId) => "message:" + clientMessageId.ToString("N");

    /// <summary>An outbound message row known only by its wamid (a status webhook without <c>biz_opaque_callback_data</c>).</summary>
    public static string Wamid(long botId, string waMessageId) => string.Create(CultureInfo.InvariantCulture, $"wamid:{botId}/{waMessageId}");
}
