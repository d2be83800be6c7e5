using ChatBoost.Grains.Interfaces.Notifications;

namespace ChatBoost.Api.Notifications;

/// <summary>
/// The rule that makes a user's stream resumable with coalesced updates, pure. Every change of a user's notifications
/// gets a <see cref="Notification.Position"/> from one increasing sequence (an insert: its id; a coalesced update: a new
/// position above every earlier one), and the inbox, the one writer of the user's rows, commits them in that order. So
/// "every row whose position is above P" is exactly what changed after a client was at P: a reconnect with
/// <c>after=P</c> (the highest position it received) gets the notifications it never saw and the ones it saw that were
/// updated since, each once, in position order. A replayed row whose id is at most P existed when the client was at P:
/// it is sent as an update; one above P is new to the client.
/// </summary>
public static class StreamPositions
{
    /// <summary>Whether a row replayed after <paramref name="after"/> is an update of a notification the client saw.</summary>
    public static bool IsUpdateAfter(Notification notification, long after) => notification.Id <= after;
}

/// <summary>
/// What one socket already sent: the highest position per notification id, for the last <paramref name="window"/> ids. A
/// frame is sent only when its position is above the one sent for its id: a live push held during the replay is dropped
/// when the replay already carried it or a later state of it, so nothing is doubled and no count goes backwards.
/// </summary>
public sealed class SentPositions(int window)
{
    private readonly Dictionary<long, long> _highest = [];
    private readonly Queue<long> _order = new();

    public int Count => _highest.Count;

    /// <summary>True (and remembered) when <paramref name="position"/> is newer than what was sent for <paramref name="id"/>.</summary>
    public bool TryMark(long id, long position)
    {
        if (_highest.TryGetValue(id, out var sent))
        {
            if (position <= sent)
            {
                return false;
            }

            _highest[id] = position;
            return true;
        }

        _highest[id] = position;
        _order.Enqueue(id);
        if (_order.Count > window)
        {
            _highest.Remove(_order.Dequeue());
        }

        return true;
    }
}
