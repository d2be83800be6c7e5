using ChatBoost.Grains.Contacts;
using ChatBoost.Grains.Flows.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Flows;

/// <summary>The flow engine's services in the silo: the contact grain's store, the program cache, the webhook caller and the settings.</summary>
public static class FlowEngineServices
{
    public static IServiceCollection AddChatBoostFlowEngine(this IServiceCollection services)
    {
        services.AddSingleton<ContactStore>();
        services.AddSingleton<FlowProgramCache>();
        services.AddOptions<FlowEngineOptions>().BindConfiguration(FlowEngineOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FlowEngineOptions>, FlowEngineOptionsValidator>();
        services.AddChatBoostWebhookCaller();
        return services;
    }

    private sealed class FlowEngineOptionsValidator : IValidateOptions<FlowEngineOptions>
    {
        public ValidateOptionsResult Validate(string? name, FlowEngineOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
