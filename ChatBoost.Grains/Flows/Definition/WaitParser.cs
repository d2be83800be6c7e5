namespace ChatBoost.Grains.Flows.Definition;

/// <summary>
/// <c>wait</c> has two shapes. With <c>until</c> absent: <c>duration</c>, <c>unit</c>, <c>next</c>. With
/// <c>"until": "reply"</c>: <c>timeout</c>, <c>timeout_unit</c>, <c>store_response_in</c>, <c>next</c>,
/// <c>timeout_path</c>. Fields of the other shape are unknown fields.
/// </summary>
internal static class WaitParser
{
    public static NodeConfig? Parse(ConfigReader config) =>
        config.Has("until") ? ParseUntilReply(config) : ParseDuration(config);

    private static WaitForDurationConfig? ParseDuration(ConfigReader config)
    {
        var duration = config.PositiveNumber("duration", required: true);
        var unit = config.Enum("unit", WaitUnits.All, required: true);
        var next = config.NodeRef("next");
        CheckTotal(config, "duration", duration, unit);
        return duration is null || unit is null ? null : new WaitForDurationConfig(duration.Value, unit, next);
    }

    private static WaitForReplyConfig? ParseUntilReply(ConfigReader config)
    {
        config.Enum("until", [WaitUnits.UntilReply], required: true);
        var timeout = config.PositiveNumber("timeout", required: true);
        var unit = config.Enum("timeout_unit", WaitUnits.All, required: true);
        var store = config.StateTarget("store_response_in", required: false, WaitForReplyConfig.DefaultStoreResponseIn);
        var next = config.NodeRef("next");
        var timeoutPath = config.NodeRef("timeout_path");
        CheckTotal(config, "timeout", timeout, unit);
        return timeout is null || unit is null || store is null
            ? null
            : new WaitForReplyConfig(timeout.Value, unit, store, next, timeoutPath);
    }

    private static void CheckTotal(ConfigReader config, string field, double? amount, string? unit)
    {
        if (amount is not null && unit is not null && WaitUnits.ToSeconds(amount.Value, unit) > FlowLimits.MaxWait.TotalSeconds)
        {
            config.Sink.Error(config.FieldPath(field), FlowProblemCodes.OutOfRange,
                $"{config.FieldPath(field)}: a wait lasts at most {FlowLimits.MaxWait.TotalDays} days.");
        }
    }
}
