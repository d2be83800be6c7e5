using ChatBoost.Grains.Interfaces.Notifications;
using ChatBoost.Grains.Notifications;

namespace ChatBoost.UnitTests.Notifications;

public class NotificationMailRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 17, 42, TimeSpan.Zero);

    [Fact]
    public void Immediate_mail_is_due_now_and_digest_mail_at_the_end_of_its_period()
    {
        Assert.Equal(Now, NotificationMailRules.DueAt(Now, digest: false, TimeSpan.FromMinutes(60)));
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 11, 0, 0, TimeSpan.Zero), NotificationMailRules.DueAt(Now, digest: true, TimeSpan.FromMinutes(60)));
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 10, 30, 0, TimeSpan.Zero), NotificationMailRules.DueAt(Now, digest: true, TimeSpan.FromMinutes(15)));
    }

    [Fact]
    public void Every_instant_of_one_digest_period_shares_one_due_time_and_the_next_period_has_the_next()
    {
        var period = TimeSpan.FromMinutes(60);
        var start = new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
        var due = NotificationMailRules.DueAt(start, digest: true, period);
        for (var offset = TimeSpan.Zero; offset < period; offset += TimeSpan.FromSeconds(97))
        {
            Assert.Equal(due, NotificationMailRules.DueAt(start + offset, digest: true, period));
        }

        Assert.Equal(due + period, NotificationMailRules.DueAt(start + period, digest: true, period));
        Assert.True(due > start);
    }

    [Theory]
    [InlineData("pending", -1, null, true)]
    [InlineData("pending", 0, null, true)]
    [InlineData("pending", 1, null, false)]
    [InlineData("pending", -1, 1, false)]
    [InlineData("pending", -1, 0, true)]
    [InlineData("pending", -1, -5, true)]
    [InlineData("sent", -1, null, false)]
    [InlineData("failed", -1, null, false)]
    [InlineData("skipped", -1, null, false)]
    public void A_row_is_taken_only_when_pending_due_and_not_under_a_running_lease(string state, int dueInSeconds, int? leaseEndsInSeconds, bool takeable) =>
        Assert.Equal(takeable, NotificationMailRules.IsTakeable(
            state, Now.AddSeconds(dueInSeconds), leaseEndsInSeconds is { } s ? Now.AddSeconds(s) : null, Now));

    [Fact]
    public void Failures_back_off_exponentially_up_to_an_hour_then_give_up_after_the_last_attempt()
    {
        var waits = Enumerable.Range(1, 9).Select(a => NotificationMailRules.AfterFailure(a, maxAttempts: 10, Now)).ToList();
        Assert.All(waits, w => Assert.False(w.GiveUp));
        Assert.Equal(
            new[] { 30, 60, 120, 240, 480, 960, 1920, 3600, 3600 },
            waits.Select(w => (int)(w.DueAt - Now).TotalSeconds));

        Assert.True(NotificationMailRules.AfterFailure(10, maxAttempts: 10, Now).GiveUp);
        Assert.True(NotificationMailRules.AfterFailure(1, maxAttempts: 1, Now).GiveUp);
        Assert.False(NotificationMailRules.AfterFailure(1, maxAttempts: 2, Now).GiveUp);
        Assert.Equal(TimeSpan.FromHours(1), NotificationMailRules.AfterFailure(60, maxAttempts: 100, Now).DueAt - Now);
    }

    [Fact]
    public void The_email_channel_mails_only_what_the_inbox_stores()
    {
        var mailing = NotificationPreferences.Defaults with
        {
            Types = NotificationTypes.All.ToDictionary(t => t, _ => new ChannelPreference(true, true, true), StringComparer.Ordinal),
        };
        var noInbox = mailing with { Types = new Dictionary<string, ChannelPreference>(mailing.Types) { [NotificationTypes.Mention] = new(false, true, true) } };

        Assert.Equal(new Wanted(true, true, true), NotificationPreferenceRules.Apply(mailing, Draft(NotificationTypes.Mention)));
        Assert.Equal(Wanted.Nothing, NotificationPreferenceRules.Apply(noInbox, Draft(NotificationTypes.Mention)));
        Assert.Equal(Wanted.Nothing, NotificationPreferenceRules.Apply(mailing, Draft(NotificationTypes.MessageStatus, "delivered")));
        Assert.Equal(new Wanted(true, true, false), NotificationPreferenceRules.Apply(NotificationPreferences.Defaults, Draft(NotificationTypes.Mention)));
    }

    [Fact]
    public void A_burst_coalesced_into_one_notification_mails_it_once_when_any_draft_wants_mail()
    {
        var mailing = NotificationPreferences.Defaults with
        {
            Types = NotificationTypes.All.ToDictionary(t => t, _ => new ChannelPreference(true, false, true), StringComparer.Ordinal),
        };
        var drafts = Enumerable.Range(1, 5).Select(i => new NotificationDraft($"s{i}", NotificationTypes.MessageStatus, "failed", "t", "b", CoalesceKey: "k")).ToList();

        var plan = InboxDeliveryPlan.Make(mailing, new NotificationCoalescer(), drafts, Now);

        var insert = Assert.Single(plan.Inserts);
        Assert.Equal((5, true), (insert.Count, insert.Mail));
        Assert.False(Assert.Single(InboxDeliveryPlan.Make(NotificationPreferences.Defaults, new NotificationCoalescer(), drafts, Now).Inserts).Mail);
    }

    private static NotificationDraft Draft(string type, string @event = "x") => new("s", type, @event, "t", "b");
}
