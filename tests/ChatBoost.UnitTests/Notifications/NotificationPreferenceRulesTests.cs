using ChatBoost.Grains.Interfaces.Notifications;
using ChatBoost.Grains.Notifications;

namespace ChatBoost.UnitTests.Notifications;

public class NotificationPreferenceRulesTests
{
    private static NotificationDraft Draft(string type, string @event = "") => new("s", type, @event, "t", "b");

    private static NotificationPreferences With(string type, bool inApp, bool webSocket) =>
        NotificationPreferences.Defaults with
        {
            Types = new Dictionary<string, ChannelPreference>(NotificationPreferences.Defaults.Types, StringComparer.Ordinal)
            {
                [type] = new ChannelPreference(inApp, webSocket, false),
            },
        };

    [Fact]
    public void The_defaults_store_and_push_failures_and_everything_else_but_not_other_statuses_or_completions()
    {
        var d = NotificationPreferences.Defaults;
        Assert.Equal(new Wanted(true, true), NotificationPreferenceRules.Apply(d, Draft(NotificationTypes.MessageStatus, "failed")));
        Assert.Equal(Wanted.Nothing, NotificationPreferenceRules.Apply(d, Draft(NotificationTypes.MessageStatus, "delivered")));
        Assert.Equal(new Wanted(true, true), NotificationPreferenceRules.Apply(d, Draft(NotificationTypes.FlowEvent, "failed")));
        Assert.Equal(Wanted.Nothing, NotificationPreferenceRules.Apply(d, Draft(NotificationTypes.FlowEvent, "completed")));
        foreach (var type in new[] { NotificationTypes.Mention, NotificationTypes.TeamEvent, NotificationTypes.SystemAnnouncement, NotificationTypes.BotCredentialsInvalid })
        {
            Assert.Equal(new Wanted(true, true), NotificationPreferenceRules.Apply(d, Draft(type, "x")));
        }

        Assert.True(d.Coalesce);
        Assert.False(d.Digest);
        Assert.All(d.Types.Values, c => Assert.False(c.Email));
    }

    [Fact]
    public void Asking_for_every_change_and_for_completions_lets_them_through()
    {
        var p = NotificationPreferences.Defaults with { AllMessageStatusChanges = true, FlowCompleted = true };
        Assert.True(NotificationPreferenceRules.Apply(p, Draft(NotificationTypes.MessageStatus, "read")).Store);
        Assert.True(NotificationPreferenceRules.Apply(p, Draft(NotificationTypes.FlowEvent, "completed")).Store);
    }

    [Fact]
    public void A_type_off_in_app_is_neither_stored_nor_pushed_and_websocket_off_stores_without_pushing()
    {
        Assert.Equal(Wanted.Nothing, NotificationPreferenceRules.Apply(With(NotificationTypes.Mention, false, true), Draft(NotificationTypes.Mention)));
        Assert.Equal(new Wanted(true, false), NotificationPreferenceRules.Apply(With(NotificationTypes.Mention, true, false), Draft(NotificationTypes.Mention)));
        Assert.Equal(new Wanted(true, true), NotificationPreferenceRules.Apply(With(NotificationTypes.Mention, false, false), Draft(NotificationTypes.TeamEvent)));
    }

    [Fact]
    public void A_test_notification_is_stored_even_when_its_type_is_off()
    {
        Assert.Equal(new Wanted(true, false), NotificationPreferenceRules.Apply(With(NotificationTypes.Test, false, false), Draft(NotificationTypes.Test)));
    }

    [Fact]
    public void Completing_fills_every_known_type_and_drops_unknown_ones()
    {
        var partial = new NotificationPreferences(
            new Dictionary<string, ChannelPreference>(StringComparer.Ordinal)
            {
                [NotificationTypes.Mention] = new(false, false, false),
                ["no_such_type"] = new(true, true, true),
            },
            false, false, true, false);

        var complete = NotificationPreferenceRules.Complete(partial);

        Assert.Equal(NotificationTypes.All.Order(StringComparer.Ordinal), complete.Types.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new ChannelPreference(false, false, false), complete.Types[NotificationTypes.Mention]);
        Assert.Equal(new ChannelPreference(true, true, false), complete.Types[NotificationTypes.TeamEvent]);
    }
}
