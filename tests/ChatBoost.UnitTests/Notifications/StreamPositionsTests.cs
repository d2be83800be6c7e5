using ChatBoost.Api.Notifications;
using ChatBoost.Grains.Interfaces.Notifications;

namespace ChatBoost.UnitTests.Notifications;

/// <summary>The resume rule: replay by position, an update of a seen notification is an update, nothing twice, no count going back.</summary>
public sealed class StreamPositionsTests
{
    private static Notification At(long id, long position, int count = 1) =>
        new(id, 1, NotificationTypes.MessageStatus, "failed", "t", "b", 9, null, null, null, null, count, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, position);

    [Fact]
    public void A_replayed_row_is_an_update_exactly_when_it_existed_at_the_clients_position()
    {
        Assert.True(StreamPositions.IsUpdateAfter(At(5, 12), after: 10));
        Assert.True(StreamPositions.IsUpdateAfter(At(10, 12), after: 10));
        Assert.False(StreamPositions.IsUpdateAfter(At(11, 11), after: 10));
        Assert.False(StreamPositions.IsUpdateAfter(At(11, 14), after: 10));
        Assert.False(StreamPositions.IsUpdateAfter(At(1, 1), after: 0));
    }

    [Fact]
    public void Each_change_is_sent_once_and_an_older_state_never_follows_a_newer_one()
    {
        var sent = new SentPositions(window: 16);
        Assert.True(sent.TryMark(5, 5));
        Assert.False(sent.TryMark(5, 5));
        Assert.True(sent.TryMark(5, 12));
        Assert.False(sent.TryMark(5, 9));
        Assert.False(sent.TryMark(5, 12));
        Assert.True(sent.TryMark(7, 7));
    }

    [Fact]
    public void A_replay_and_the_live_pushes_held_during_it_give_every_change_once_in_order()
    {
        // Notification 5 seen at 5; afterwards it is coalesced at 8 and 11, 9 is new, 10 is new and coalesced at 12.
        // The client resumes at after=5; the replay query ran after 11 committed, the live pushes (held) cover 8 to 12.
        var rows = new[] { At(9, 9), At(5, 11, 3), At(10, 12, 2) };
        var live = new[] { (At(5, 8, 2), true), (At(9, 9), false), (At(10, 10), false), (At(5, 11, 3), true), (At(10, 12, 2), true) };
        var sent = new SentPositions(window: 64);
        var frames = new List<(long Id, long Position, bool Updated)>();
        foreach (var row in rows.Where(r => sent.TryMark(r.Id, r.Position)))
        {
            frames.Add((row.Id, row.Position, StreamPositions.IsUpdateAfter(row, 5)));
        }

        foreach (var (notification, updated) in live.Where(l => sent.TryMark(l.Item1.Id, l.Item1.Position)))
        {
            frames.Add((notification.Id, notification.Position, updated));
        }

        Assert.Equal([(9, 9, false), (5, 11, true), (10, 12, false)], frames);
        Assert.Equal(frames.Count, frames.Select(f => f.Position).Distinct().Count());
    }

    [Fact]
    public void The_window_forgets_the_oldest_ids()
    {
        var sent = new SentPositions(window: 2);
        Assert.True(sent.TryMark(1, 1));
        Assert.True(sent.TryMark(2, 2));
        Assert.True(sent.TryMark(3, 3));
        Assert.Equal(2, sent.Count);
        Assert.True(sent.TryMark(1, 1));
    }
}
