using ChatBoost.Grains.Flows.Definition;
using static ChatBoost.UnitTests.Flows.FlowTestKit;

namespace ChatBoost.UnitTests.Flows;

public class WaitValidationTests
{
    private const string Type = FlowNodeTypes.Wait;

    [Theory]
    [InlineData(30, "seconds", 30)]
    [InlineData(1.5, "minutes", 90)]
    [InlineData(2, "hours", 7200)]
    [InlineData(30, "days", 2_592_000)]
    public void DurationsConvertByUnit(double duration, string unit, double seconds)
    {
        var wait = Parse<WaitForDurationConfig>(Type, $$"""{"duration": {{duration}}, "unit": "{{unit}}", "next": 2}""");
        Assert.Equal(TimeSpan.FromSeconds(seconds), wait.Delay);
    }

    [Fact]
    public void DurationIsRequired() => AssertSingleError(Type, """{"unit": "days"}""", FlowProblemCodes.MissingField, "config.duration");

    [Fact]
    public void UnitIsRequired() => AssertSingleError(Type, """{"duration": 1}""", FlowProblemCodes.MissingField, "config.unit");

    [Fact]
    public void UnitMustBeKnown() => AssertSingleError(Type, """{"duration": 1, "unit": "weeks"}""", FlowProblemCodes.InvalidValue, "config.unit");

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void DurationMustBePositive(string duration) =>
        AssertSingleError(Type, $$"""{"duration": {{duration}}, "unit": "days"}""", FlowProblemCodes.OutOfRange, "config.duration");

    [Fact]
    public void DurationMustBeANumber() =>
        AssertSingleError(Type, """{"duration": "5", "unit": "days"}""", FlowProblemCodes.InvalidType, "config.duration");

    [Theory]
    [InlineData(31, "days")]
    [InlineData(721, "hours")]
    [InlineData(1e300, "days")]
    public void WaitsLongerThan30DaysAreRefused(double duration, string unit) =>
        AssertSingleError(Type, $$"""{"duration": {{duration}}, "unit": "{{unit}}"}""", FlowProblemCodes.OutOfRange, "config.duration");

    [Fact]
    public void AWaitForReplyParsesWithItsDefaults()
    {
        var wait = Parse<WaitForReplyConfig>(Type, """{"until": "reply", "timeout": 2, "timeout_unit": "hours", "next": 3, "timeout_path": 4}""");
        Assert.Equal(TimeSpan.FromHours(2), wait.TimeoutSpan);
        Assert.Equal("state.user_response", wait.StoreResponseIn.Expression);
        Assert.Equal([new NodeBranch("next", 3), new NodeBranch("timeout_path", 4)], wait.Branches);
        Assert.Equal([3L, 4L], wait.Successors);
    }

    [Fact]
    public void UntilMustBeReply() =>
        AssertSingleError(Type, """{"until": "message", "timeout": 1, "timeout_unit": "days"}""", FlowProblemCodes.InvalidValue, "config.until");

    [Fact]
    public void AWaitForReplyNeedsATimeout()
    {
        var problems = Validate(Type, """{"until": "reply", "next": 2}""");
        AssertHasError(problems, FlowProblemCodes.MissingField, "config.timeout");
        AssertHasError(problems, FlowProblemCodes.MissingField, "config.timeout_unit");
    }

    [Fact]
    public void ATimeoutLongerThan30DaysIsRefused() =>
        AssertSingleError(Type, """{"until": "reply", "timeout": 31, "timeout_unit": "days"}""", FlowProblemCodes.OutOfRange, "config.timeout");

    [Fact]
    public void TheReplyIsStoredInAStateName() =>
        AssertSingleError(Type, """{"until": "reply", "timeout": 1, "timeout_unit": "days", "store_response_in": "contact.attribute.x"}""",
            FlowProblemCodes.InvalidVariable, "config.store_response_in");

    [Fact]
    public void DurationFieldsAreUnknownOnAWaitForReply() =>
        AssertSingleError(Type, """{"until": "reply", "timeout": 1, "timeout_unit": "days", "duration": 5}""",
            FlowProblemCodes.UnknownField, "config.duration");

    [Fact]
    public void ReplyFieldsAreUnknownOnADurationWait() =>
        AssertSingleError(Type, """{"duration": 5, "unit": "days", "timeout_path": 3}""", FlowProblemCodes.UnknownField, "config.timeout_path");

    [Fact]
    public void TimeoutPathMustBeANodeOfTheFlow() =>
        AssertSingleError(Type, """{"until": "reply", "timeout": 1, "timeout_unit": "days", "timeout_path": 77}""",
            FlowProblemCodes.UnknownReference, "config.timeout_path");
}
