using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Triggers.Runs;
using ChatBoost.Grains.Triggers.Schedules;
using static ChatBoost.UnitTests.Flows.Engine.EngineKit;

namespace ChatBoost.UnitTests.Triggers;

/// <summary>The pure rules of schedule reminders and broadcast runs: when to tick, who is skipped and why, how fast to
/// start, what the progress says, and the audience and first-send reading.</summary>
public class BroadcastRunTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 29, 0, 30, 0, TimeSpan.Zero);

    private static (long, string, string) SendTemplate(long id, long? next) =>
        Node(id, FlowNodeTypes.SendMessage, $$"""{"message_type":"template","content":{"template_name":"spring_sale","language_code":"en"},"next":{{N(next)}}}""");

    [Fact]
    public void TheReminderIsDueAtTheOccurrence_CappedByTheUpdateInterval_NeverSoonerThanASecond_AndGoneWithoutOne()
    {
        var cap = TimeSpan.FromHours(1);
        Assert.Equal(TimeSpan.FromMinutes(20), ScheduleReminderPlan.DueIn(Now.AddMinutes(20), Now, cap));
        Assert.Equal(cap, ScheduleReminderPlan.DueIn(Now.AddDays(40), Now, cap));
        Assert.Equal(ScheduleReminderPlan.MinDue, ScheduleReminderPlan.DueIn(Now.AddMilliseconds(10), Now, cap));
        Assert.Equal(ScheduleReminderPlan.MinDue, ScheduleReminderPlan.DueIn(Now.AddMinutes(-3), Now, cap));
        Assert.Null(ScheduleReminderPlan.DueIn(null, Now, cap));
        Assert.False(ScheduleReminderPlan.IsCatchUp(Now.AddSeconds(-59), Now, TimeSpan.FromMinutes(1)));
        Assert.True(ScheduleReminderPlan.IsCatchUp(Now.AddMinutes(-2), Now, TimeSpan.FromMinutes(1)));
    }

    [Theory]
    [InlineData(true, 1.0, false, null)]                       // opted in, wrote an hour ago, text flow
    [InlineData(false, 1.0, false, "skipped_opted_out")]       // opted out wins over everything
    [InlineData(false, null, true, "skipped_opted_out")]
    [InlineData(true, 23.9, false, null)]
    [InlineData(true, 24.0, false, "skipped_outside_window")]  // the window is 24 h, its end excluded
    [InlineData(true, null, false, "skipped_outside_window")]  // never wrote
    [InlineData(true, null, true, null)]                       // a template needs no window
    [InlineData(true, 500.0, true, null)]
    public void APrecheckSkipsOptedOutContacts_AndThoseOutsideTheWindowUnlessTheFlowStartsWithATemplate(
        bool optedIn, double? hoursSinceInbound, bool startsWithTemplate, string? expected)
    {
        var contact = new AudienceContact(5, "4915550001", optedIn, hoursSinceInbound is { } h ? Now.AddHours(-h) : null);
        Assert.Equal(expected, RecipientRule.Precheck(contact, needsWindow: !startsWithTemplate, Now));
    }

    [Theory]
    [InlineData(AutomatedStartStatuses.Started, "started", true)]
    [InlineData(AutomatedStartStatuses.AlreadyStarted, "started", true)] // a resumed walk passing the contact again
    [InlineData(AutomatedStartStatuses.OptedOut, "skipped_opted_out", false)]
    [InlineData(AutomatedStartStatuses.ActiveExecution, "skipped_active_execution", false)]
    [InlineData(AutomatedStartStatuses.NoContact, "skipped_no_contact", false)]
    [InlineData(AutomatedStartStatuses.FlowUnavailable, "failed", false)]
    public void TheContactsAnswerIsTheOutcome(string status, string outcome, bool keepsExecution)
    {
        var contact = new AudienceContact(5, "4915550001", true, null);
        var decision = RecipientRule.FromStart(contact, new AutomatedStartOutcome(status, 99, null));
        Assert.Equal(outcome, decision.Outcome);
        Assert.Equal(keepsExecution ? 99 : null, decision.ExecutionId);
    }

    [Fact]
    public void TheStartKeyNamesTheRunAndTheContact_BecauseTheIndexIsGlobal()
    {
        Assert.Equal("broadcast:12:345", RecipientRule.StartKey(12, 345));
        Assert.NotEqual(RecipientRule.StartKey(12, 345), RecipientRule.StartKey(12, 346));
        Assert.NotEqual(RecipientRule.StartKey(1, 2345), RecipientRule.StartKey(12, 345));
    }

    [Theory]
    [InlineData(20, 0, 20)]      // an idle number: a second's worth
    [InlineData(20, 250, 15)]
    [InlineData(20, 1000, 0)]    // booked a full lead ahead: wait
    [InlineData(20, 5000, 0)]
    [InlineData(80, 0, 50)]      // never more than the batch
    [InlineData(1, 500, 0)]      // half a slot of room is no slot
    public void ThePacingBudgetFillsTheLeadBackUp(int rate, int backlogMs, int expected) =>
        Assert.Equal(expected, BroadcastPacing.Budget(rate, TimeSpan.FromMilliseconds(backlogMs), TimeSpan.FromSeconds(1), maxBatch: 50));

    [Fact]
    public void AtTheBudgetsPaceStartsNeverOutrunTheRate()
    {
        // A simulated number: each start books one slot at the pacer, 250 ms ticks for 60 s.
        const int rate = 20;
        var scheduler = new ChatBoost.Grains.WhatsApp.SendSlotScheduler(rate);
        var started = 0;
        for (var tick = TimeSpan.Zero; tick < TimeSpan.FromSeconds(60); tick += TimeSpan.FromMilliseconds(250))
        {
            var budget = BroadcastPacing.Budget(rate, scheduler.Backlog(tick), TimeSpan.FromSeconds(1), 200);
            for (var i = 0; i < budget; i++)
            {
                scheduler.Reserve(tick);
                started++;
            }

            Assert.True(scheduler.Backlog(tick) <= TimeSpan.FromSeconds(1.1), $"{scheduler.Backlog(tick)} booked ahead at {tick}");
        }

        Assert.InRange(started, rate * 60 - rate, rate * 61); // the rate, kept busy: neither starved nor ahead by more than the lead
    }

    [Fact]
    public void ProgressAddsUpTheOutcomes_WithEveryReasonPresent()
    {
        var progress = RunProgress.From([("started", 7), ("skipped_opted_out", 2), ("skipped_outside_window", 3), ("failed", 1)], sentMessages: 6, failedMessages: 1);
        Assert.Equal(13, progress.Processed);
        Assert.Equal(7, progress.Started);
        Assert.Equal(6, progress.Sent);
        Assert.Equal(2, progress.Failed);
        Assert.Equal(new Dictionary<string, long> { ["opted_out"] = 2, ["outside_window"] = 3, ["active_execution"] = 0, ["no_contact"] = 0 }, progress.Skipped);
        Assert.Equal(0, RunProgress.From([], 0, 0).Processed);
    }

    [Fact]
    public void TheAudienceIsEveryoneOrTheAttributesAsTheSearchCompares()
    {
        Assert.Empty(Audience.Parse(null).Filters);
        Assert.Empty(Audience.Parse("{}").Filters);
        Assert.Empty(Audience.Parse("""{"attributes": {}}""").Filters);
        var audience = Audience.Parse("""{"attributes": {"plan": "gold", "vip": true, "age": 30.5, "churned": null}}""");
        Assert.Equal([new("age", "30.5"), new("churned", null), new("plan", "gold"), new("vip", "true")], audience.Filters);
        Assert.Equal("age = 30.5, churned absent, plan = gold, vip = true", audience.ToString());
    }

    [Fact]
    public void TheFirstSendDecidesWhetherTheWindowIsNeeded_OnEveryPath()
    {
        Assert.False(FirstSend.NeedsWindow(Program(SendTemplate(1, 2), SendText(2, "then text", null))));
        Assert.True(FirstSend.NeedsWindow(Program(SendText(1, "hello", null))));
        Assert.True(FirstSend.NeedsWindow(Program(SetAttribute(1, "a", "b", "string", 2), WaitSeconds(2, 5, 3), SendText(3, "late text", null))));
        Assert.False(FirstSend.NeedsWindow(Program(SetAttribute(1, "a", "b", "string", null)))); // sends nothing
        // A condition: one branch starts with a template, the other with text — the text branch needs the window.
        Assert.True(FirstSend.NeedsWindow(Program(Condition(1, "state.x", "is_set", null, 2, 3), SendTemplate(2, null), SendText(3, "hi", null))));
        Assert.False(FirstSend.NeedsWindow(Program(Condition(1, "state.x", "is_set", null, 2, 3), SendTemplate(2, null), SendTemplate(3, null))));
    }
}
