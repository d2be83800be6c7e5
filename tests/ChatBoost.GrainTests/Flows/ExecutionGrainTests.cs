using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Flows;

namespace ChatBoost.GrainTests.Flows;

/// <summary>Executions inside the contact grain: replies, timeouts, cancellation, one active execution per contact.</summary>
[Collection(ChatBoostClusterCollection.Name)]
public class ExecutionGrainTests(ChatBoostClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private static TemplateNode Node(long key, string type, string config) => new(key, type, null, config);

    /// <summary>wait for a reply (stored in state.answer) → remember it as an attribute; on timeout → mark timed_out.</summary>
    private Task<FlowScenario> AskAsync(string timeout) => FlowScenario.CreateAsync(Grains,
        Node(1, "wait", $$"""{"until": "reply", "timeout": {{timeout}}, "store_response_in": "state.answer", "next": 2, "timeout_path": 3}"""),
        Node(2, "set_attribute", """{"attribute_key": "answer", "attribute_value": "{{state.answer}}", "next": null}"""),
        Node(3, "set_attribute", """{"attribute_key": "timed_out", "attribute_value": "true", "value_type": "boolean", "next": null}"""));

    [Fact]
    public async Task AnInboundReplyIsStoredAndTheFlowGoesOn()
    {
        var scenario = await AskAsync("""1, "timeout_unit": "hours" """);
        var phone = FlowScenario.NewPhone();
        var started = await scenario.StartAsync(Grains, phone);
        Assert.Equal(ExecutionStatuses.WaitingForReply, started.Status);
        Assert.NotNull(started.WakeAt);

        var contact = scenario.Contact(Grains, phone);
        var reply = new InboundMessageInput(scenario.OrganizationId, "wamid.r-" + Guid.NewGuid().ToString("N"), "Ada", "interactive",
            "Yes please", """{"type":"interactive"}""", DateTimeOffset.UtcNow, ReplyId: "yes");
        Assert.Equal(InboundOutcome.Recorded, await contact.RecordInboundAsync(reply));

        await using var connection = await fixture.OpenAsync();
        Assert.True(await FlowScenario.EventuallyAsync(
            async () => (await FlowScenario.RowAsync(connection, started.Id)).Status == ExecutionStatuses.Completed, TimeSpan.FromSeconds(10)));
        var row = await FlowScenario.RowAsync(connection, started.Id);
        Assert.Contains("\"answer\":\"yes\"", row.State.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var attributes = await contact.GetAttributesAsync();
        Assert.Equal("yes", Assert.Single(attributes!, a => a.Key == "answer").Value);
        Assert.DoesNotContain(attributes!, a => a.Key == "timed_out");
        // The reminder goes right after the step that ended the execution is committed.
        Assert.True(await FlowScenario.EventuallyAsync(async () => await FlowScenario.RemindersAsync(connection, phone) == 0, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WithoutAReplyTheTimeoutPathIsTaken()
    {
        var scenario = await AskAsync("""2, "timeout_unit": "seconds" """);
        var phone = FlowScenario.NewPhone();
        var started = await scenario.StartAsync(Grains, phone);

        await using var connection = await fixture.OpenAsync();
        Assert.True(await FlowScenario.EventuallyAsync(
            async () => (await FlowScenario.RowAsync(connection, started.Id)).Status == ExecutionStatuses.Completed, TimeSpan.FromSeconds(20)));
        var attributes = await scenario.Contact(Grains, phone).GetAttributesAsync();
        Assert.Equal("true", Assert.Single(attributes!, a => a.Key == "timed_out").Value);
        Assert.DoesNotContain(attributes!, a => a.Key == "answer");
        // The reminder goes right after the step that ended the execution is committed.
        Assert.True(await FlowScenario.EventuallyAsync(async () => await FlowScenario.RemindersAsync(connection, phone) == 0, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ACancelledExecutionNeverWakes()
    {
        var scenario = await FlowScenario.CreateAsync(Grains,
            Node(1, "wait", """{"duration": 2, "unit": "seconds", "next": 2}"""),
            Node(2, "set_attribute", """{"attribute_key": "woke", "attribute_value": "true", "value_type": "boolean"}"""));
        var phone = FlowScenario.NewPhone();
        var started = await scenario.StartAsync(Grains, phone);
        Assert.Equal(ExecutionStatuses.Waiting, started.Status);
        await using var connection = await fixture.OpenAsync();
        Assert.Equal(1, await FlowScenario.RemindersAsync(connection, phone));

        var contact = scenario.Contact(Grains, phone);
        var cancelled = await contact.CancelExecutionAsync(started.Id, "changed our mind");
        Assert.True(cancelled.IsOk, cancelled.Detail);
        Assert.Equal(ExecutionStatuses.Cancelled, cancelled.Value!.Status);
        // The reminder goes right after the step that ended the execution is committed.
        Assert.True(await FlowScenario.EventuallyAsync(async () => await FlowScenario.RemindersAsync(connection, phone) == 0, TimeSpan.FromSeconds(10)));

        // Past the wait, and again after a fresh activation: nothing woke.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await fixture.DeactivateAsync(contact);
        Assert.DoesNotContain((await contact.GetAttributesAsync())!, a => a.Key == "woke");
        Assert.Equal(ExecutionStatuses.Cancelled, (await FlowScenario.RowAsync(connection, started.Id)).Status);
        Assert.Equal(CommandStatus.Conflict, (await contact.CancelExecutionAsync(started.Id, "again")).Status);
    }

    [Fact]
    public async Task OneContactHasOneActiveExecution()
    {
        var scenario = await AskAsync("""1, "timeout_unit": "hours" """);
        var phone = FlowScenario.NewPhone();
        var first = await scenario.StartAsync(Grains, phone);
        var contact = scenario.Contact(Grains, phone);

        var second = await contact.StartExecutionAsync(new StartExecutionCommand(scenario.FlowId, scenario.OrganizationId, null, scenario.UserId));
        Assert.Equal(CommandStatus.Conflict, second.Status);
        Assert.Contains(first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), second.Detail, StringComparison.Ordinal);

        // Input goes to the waiting execution; input to an ended one is a conflict.
        var input = await contact.SubmitInputAsync(first.Id, "hello");
        Assert.True(input.IsOk, input.Detail);
        Assert.Equal(ExecutionStatuses.Completed, input.Value!.Status);
        Assert.Equal(CommandStatus.Conflict, (await contact.SubmitInputAsync(first.Id, "again")).Status);
        Assert.Equal(CommandStatus.NotFound, (await contact.SubmitInputAsync(first.Id + 1_000_000, "x")).Status);
    }

    [Fact]
    public async Task AnExecutionResumesAfterTheGrainIsDeactivatedWhileWaiting()
    {
        var scenario = await FlowScenario.CreateAsync(Grains,
            Node(1, "wait", """{"duration": 3, "unit": "seconds", "next": 2}"""),
            Node(2, "set_attribute", """{"attribute_key": "woke", "attribute_value": "{{now}}"}"""));
        var phone = FlowScenario.NewPhone();
        var started = await scenario.StartAsync(Grains, phone);
        var contact = scenario.Contact(Grains, phone);
        await fixture.DeactivateAsync(contact);

        // Nothing calls the grain: the reminder (due in 3 s, retried each minute) or the next activation wakes it.
        await using var connection = await fixture.OpenAsync();
        Assert.True(await FlowScenario.EventuallyAsync(
            async () => (await FlowScenario.RowAsync(connection, started.Id)).Status == ExecutionStatuses.Completed, TimeSpan.FromSeconds(30)));
        var events = await FlowScenario.EventsAsync(connection, started.Id);
        Assert.Equal(1, events.Count(e => e == "attribute_set"));
    }
}
