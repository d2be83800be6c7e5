using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Flows.Http;

public static class WebhookCallerServiceCollectionExtensions
{
    /// <summary>Comma-separated <see cref="AllowList"/> entries, e.g. <c>127.0.0.1:5123,[::1]:5123,10.0.0.0/8</c>.</summary>
    public const string AllowListKey = "Flows:WebhookAllowList";

    /// <summary>A positive integer: <see cref="WebhookCallerOptions.MaxResponseBytes"/>.</summary>
    public const string MaxResponseBytesKey = "Flows:WebhookMaxResponseBytes";

    /// <summary>A positive integer number of seconds: <see cref="WebhookCallerOptions.DefaultTimeout"/>.</summary>
    public const string TimeoutSecondsKey = "Flows:WebhookTimeoutSeconds";

    /// <summary>Bounds of the settings, so that a typo cannot make a call hold memory or a grain for ever.</summary>
    private const int MaxMaxResponseBytes = 64 * 1024 * 1024;
    private const int MaxTimeoutSeconds = 300;

    /// <summary>
    /// Registers <see cref="WebhookCallerOptions"/> read from <see cref="AllowListKey"/>, <see cref="MaxResponseBytesKey"/>
    /// and <see cref="TimeoutSecondsKey"/> (absent keys keep the defaults) and validated at start (a bad allow-list entry
    /// or number stops the host with an <see cref="OptionsValidationException"/> naming it), and the singleton
    /// <see cref="WebhookCaller"/>.
    /// </summary>
    public static IServiceCollection AddChatBoostWebhookCaller(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddChatBoostWebhookCaller(options => options.Configure(o => Bind(o, configuration)));
    }

    /// <summary>As <see cref="AddChatBoostWebhookCaller(IServiceCollection, IConfiguration)"/>, reading the host's configuration.</summary>
    public static IServiceCollection AddChatBoostWebhookCaller(this IServiceCollection services) =>
        services.AddChatBoostWebhookCaller(options => options.Configure<IConfiguration>(Bind));

    private static IServiceCollection AddChatBoostWebhookCaller(this IServiceCollection services, Action<OptionsBuilder<WebhookCallerOptions>> bind)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddLogging();
        var builder = services.AddOptions<WebhookCallerOptions>();
        bind(builder);
        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookCallerOptions>, Validator>());
        services.TryAddSingleton<WebhookCaller>();
        return services;
    }

    private static void Bind(WebhookCallerOptions options, IConfiguration configuration)
    {
        if (configuration[AllowListKey] is { } allowList)
        {
            options.AllowList = allowList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        }

        if (configuration[MaxResponseBytesKey] is { } maxBytes)
        {
            if (TryParsePositive(maxBytes, MaxMaxResponseBytes, out var value))
            {
                options.MaxResponseBytes = value;
            }
            else
            {
                options.BindingProblems.Add($"{MaxResponseBytesKey} must be a whole number of bytes from 1 to {MaxMaxResponseBytes}, not '{maxBytes}'.");
            }
        }

        if (configuration[TimeoutSecondsKey] is { } timeout)
        {
            if (TryParsePositive(timeout, MaxTimeoutSeconds, out var seconds))
            {
                options.DefaultTimeout = TimeSpan.FromSeconds(seconds);
            }
            else
            {
                options.BindingProblems.Add($"{TimeoutSecondsKey} must be a whole number of seconds from 1 to {MaxTimeoutSeconds}, not '{timeout}'.");
            }
        }
    }

    private static bool TryParsePositive(string text, int max, out int value) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1 && value <= max;

    private sealed class Validator : IValidateOptions<WebhookCallerOptions>
    {
        public ValidateOptionsResult Validate(string? name, WebhookCallerOptions options)
        {
            var problems = new List<string>(options.BindingProblems);
            if (options.MaxResponseBytes <= 0)
            {
                problems.Add($"MaxResponseBytes must be positive, not {options.MaxResponseBytes}.");
            }

            if (options.DefaultTimeout <= TimeSpan.Zero)
            {
                problems.Add($"DefaultTimeout must be positive, not {options.DefaultTimeout}.");
            }

            try
            {
                AllowList.Parse(options.AllowList);
            }
            catch (ArgumentException e)
            {
                problems.Add($"{AllowListKey}: {e.Message}");
            }

            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
