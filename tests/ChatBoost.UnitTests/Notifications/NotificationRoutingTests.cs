using System.Text.Json;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Interfaces.Notifications;
using ChatBoost.Grains.Interfaces.Organizations;
using ChatBoost.Grains.Notifications;

namespace ChatBoost.UnitTests.Notifications;

public class NotificationRoutingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static ContactEvent Event(long id, string type, string data = "{}", long bot = 7) =>
        new(id, type, bot, 70, "4915100000001", 11, 12, 13, 14, null, T0, JsonDocument.Parse(data).RootElement.Clone());

    [Fact]
    public void A_failed_status_is_a_message_status_notice_for_readers_of_messages_that_coalesces_per_bot()
    {
        var notice = NotificationRouting.Route(Event(5, ContactEventTypes.MessageStatus, """{"status":"failed","error_code":131026}"""));

        Assert.NotNull(notice);
        Assert.Equal(Permissions.MessagesRead, notice.Permission);
        Assert.Null(notice.OnlyUsers);
        var d = notice.Draft;
        Assert.Equal(("event:5", NotificationTypes.MessageStatus, "failed"), (d.Source, d.Type, d.Event));
        Assert.Equal((70L, 7L, 11L, 13L, 12L), (d.OrganizationId!.Value, d.BotId!.Value, d.ContactId!.Value, d.ExecutionId!.Value, d.MessageId!.Value));
        Assert.Equal("message_status:failed:bot:7", d.CoalesceKey);
        Assert.Contains("131026", d.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_statuses_are_notices_that_never_coalesce_and_a_status_without_a_status_is_nothing()
    {
        var delivered = NotificationRouting.Route(Event(6, ContactEventTypes.MessageStatus, """{"status":"delivered"}"""));
        Assert.Equal("delivered", delivered!.Draft.Event);
        Assert.Null(delivered.Draft.CoalesceKey);
        Assert.Null(NotificationRouting.Route(Event(7, ContactEventTypes.MessageStatus)));
    }

    [Fact]
    public void Flow_outcomes_are_flow_events_for_readers_of_flows()
    {
        var failed = NotificationRouting.Route(Event(8, ContactEventTypes.FlowFailed, """{"error":"webhook refused"}"""))!;
        var completed = NotificationRouting.Route(Event(9, ContactEventTypes.FlowCompleted))!;

        Assert.Equal((NotificationTypes.FlowEvent, "failed", Permissions.FlowsRead), (failed.Draft.Type, failed.Draft.Event, failed.Permission));
        Assert.Contains("webhook refused", failed.Draft.Body, StringComparison.Ordinal);
        Assert.Equal("flow_event:failed:bot:7", failed.Draft.CoalesceKey);
        Assert.Equal("completed", completed.Draft.Event);
        Assert.Null(completed.Draft.CoalesceKey);
    }

    [Theory]
    [InlineData(ContactEventTypes.ContactCreated)]
    [InlineData(ContactEventTypes.MessageReceived)]
    [InlineData(ContactEventTypes.MessageSent)]
    [InlineData(ContactEventTypes.OptedIn)]
    [InlineData(ContactEventTypes.OptedOut)]
    [InlineData(ContactEventTypes.FlowStarted)]
    [InlineData(ContactEventTypes.NodeEntered)]
    public void Other_events_are_not_notifications(string type) =>
        Assert.Null(NotificationRouting.Route(Event(10, type, """{"status":"failed"}""")));

    [Fact]
    public void Every_outlet_event_type_is_decided()
    {
        // A new outlet event type must be looked at here: either routed or listed as not a notification above.
        string[] decided =
        [
            ContactEventTypes.MessageStatus, ContactEventTypes.FlowFailed, ContactEventTypes.FlowCompleted, ContactEventTypes.ContactCreated,
            ContactEventTypes.MessageReceived, ContactEventTypes.MessageSent, ContactEventTypes.OptedIn, ContactEventTypes.OptedOut,
            ContactEventTypes.FlowStarted, ContactEventTypes.NodeEntered,
        ];
        Assert.Equal(ContactEventTypes.All.Order(StringComparer.Ordinal), decided.Order(StringComparer.Ordinal));
    }
}

public class NotificationAudienceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static readonly MemberView[] Members =
    [
        new(1, OrganizationRole.Owner, T0), new(2, OrganizationRole.Viewer, T0), new(3, OrganizationRole.Member, T0),
    ];

    private static NotificationDraft Draft(string source) => new(source, NotificationTypes.Mention, "x", "t", "b");

    [Fact]
    public void Members_whose_role_holds_the_permission_receive_in_notice_order()
    {
        var split = NotificationAudience.Split(
            [new OrganizationNotice(Draft("a"), Permissions.MessagesRead), new OrganizationNotice(Draft("b"), Permissions.BotsWrite)], Members);

        Assert.Equal(["a", "b"], split[1].Select(d => d.Source));
        Assert.Equal(["a"], split[2].Select(d => d.Source));
        Assert.Equal(["a", "b"], split[3].Select(d => d.Source));
    }

    [Fact]
    public void A_notice_naming_users_reaches_only_those_who_are_members_with_the_permission()
    {
        var split = NotificationAudience.Split([new OrganizationNotice(Draft("m"), Permissions.ContactsRead, [2, 99])], Members);
        Assert.Equal([2L], split.Keys);
    }
}
