using ChatBoost.Grains.Interfaces.Notifications;
using ChatBoost.Grains.Notifications;

namespace ChatBoost.UnitTests.Notifications;

public class InboxDeliveryPlanTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static NotificationDraft Failed(int n, long bot = 7) =>
        new($"event:{n}", NotificationTypes.MessageStatus, "failed", "Message delivery failed", $"#{n}", 70, bot, CoalesceKey: $"message_status:failed:bot:{bot}");

    private static NotificationDraft Mention(int n) => new($"note:{n}", NotificationTypes.Mention, "contact_note", "Mentioned", $"#{n}");

    [Fact]
    public void Two_hundred_failures_of_one_bot_in_one_delivery_are_one_notification_counting_two_hundred()
    {
        var plan = InboxDeliveryPlan.Make(NotificationPreferences.Defaults, new NotificationCoalescer(), Enumerable.Range(1, 200).Select(n => Failed(n)), T0);

        var insert = Assert.Single(plan.Inserts);
        Assert.Equal((200, "#1", true), (insert.Count, insert.Draft.Body, insert.Push));
        Assert.Empty(plan.Folds);
    }

    [Fact]
    public void Failures_of_different_bots_and_uncoalesced_types_stay_apart_in_order()
    {
        var plan = InboxDeliveryPlan.Make(
            NotificationPreferences.Defaults, new NotificationCoalescer(), [Failed(1, bot: 7), Mention(2), Failed(3, bot: 8), Mention(4), Failed(5, bot: 7)], T0);

        Assert.Equal(["#1", "#2", "#3", "#4"], plan.Inserts.Select(i => i.Draft.Body));
        Assert.Equal([2, 1, 1, 1], plan.Inserts.Select(i => i.Count));
    }

    [Fact]
    public void A_later_delivery_inside_the_window_folds_into_the_open_notification_and_after_it_opens_a_new_one()
    {
        var coalescer = new NotificationCoalescer();
        coalescer.Opened("message_status:failed:bot:7", 41, T0);

        var inside = InboxDeliveryPlan.Make(NotificationPreferences.Defaults, coalescer, [Failed(2), Failed(3)], T0 + NotificationCoalescer.Window - TimeSpan.FromMilliseconds(1));
        var fold = Assert.Single(inside.Folds);
        Assert.Equal((41L, 2, "#3"), (fold.NotificationId, fold.Added, fold.Latest.Body));
        Assert.Empty(inside.Inserts);

        var after = InboxDeliveryPlan.Make(NotificationPreferences.Defaults, coalescer, [Failed(4)], T0 + NotificationCoalescer.Window);
        Assert.Single(after.Inserts);
        Assert.Empty(after.Folds);
    }

    [Fact]
    public void A_read_notification_takes_no_more_counts()
    {
        var coalescer = new NotificationCoalescer();
        coalescer.Opened("message_status:failed:bot:7", 41, T0);
        coalescer.Close(41);

        var plan = InboxDeliveryPlan.Make(NotificationPreferences.Defaults, coalescer, [Failed(2)], T0.AddSeconds(1));

        Assert.Single(plan.Inserts);
    }

    [Fact]
    public void A_user_who_does_not_coalesce_gets_every_failure_on_its_own_without_a_key()
    {
        var coalescer = new NotificationCoalescer();
        var plan = InboxDeliveryPlan.Make(NotificationPreferences.Defaults with { Coalesce = false }, coalescer, Enumerable.Range(1, 5).Select(n => Failed(n)), T0);

        Assert.Equal(5, plan.Inserts.Count);
        Assert.All(plan.Inserts, i => Assert.Null(i.Draft.CoalesceKey));
    }

    [Fact]
    public void Drafts_the_preferences_decline_are_left_out()
    {
        var delivered = new NotificationDraft("event:9", NotificationTypes.MessageStatus, "delivered", "Message delivered", "b");
        var plan = InboxDeliveryPlan.Make(NotificationPreferences.Defaults, new NotificationCoalescer(), [delivered], T0);
        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void The_coalescer_forgets_its_oldest_windows_beyond_its_bound()
    {
        var coalescer = new NotificationCoalescer();
        for (var i = 0; i <= NotificationCoalescer.MaxOpenKeys; i++)
        {
            coalescer.Opened($"k{i}", i, T0.AddMilliseconds(i));
        }

        Assert.Null(coalescer.FoldTarget("k0", T0.AddSeconds(1)));
        Assert.Equal(NotificationCoalescer.MaxOpenKeys, (int)coalescer.FoldTarget($"k{NotificationCoalescer.MaxOpenKeys}", T0.AddSeconds(1))!.Value);
    }

    [Theory]
    [InlineData(1, "Message delivery failed")]
    [InlineData(37, "Message delivery failed (37)")]
    public void A_coalesced_title_shows_its_count(int count, string expected) =>
        Assert.Equal(expected, NotificationCoalescer.CoalescedTitle("Message delivery failed", count));
}
