namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// How far a subscriber got in a shard: the (transaction id, event id) of the last event it was given. The next batch
/// starts after it in that order. <see cref="Start"/> is before every event.
/// </summary>
public readonly record struct ContactEventPosition(ulong Tx, long Id) : IComparable<ContactEventPosition>
{
    public static readonly ContactEventPosition Start = new(0, 0);

    public int CompareTo(ContactEventPosition other) => Tx != other.Tx ? Tx.CompareTo(other.Tx) : Id.CompareTo(other.Id);

    public static bool operator <(ContactEventPosition left, ContactEventPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(ContactEventPosition left, ContactEventPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(ContactEventPosition left, ContactEventPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ContactEventPosition left, ContactEventPosition right) => left.CompareTo(right) >= 0;
}

/// <summary>A committed event with the transaction that wrote it: its place in the delivery order.</summary>
public sealed record PositionedContactEvent(ContactEventPosition Position, ContactEvent Event);
