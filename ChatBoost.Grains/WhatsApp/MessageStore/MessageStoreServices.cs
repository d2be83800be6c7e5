using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.WhatsApp.MessageStore;

/// <summary>Registers the <c>messages</c> table's writers and history query. Requires <see cref="Infrastructure.Database"/>.</summary>
public static class MessageStoreServices
{
    /// <summary>
    /// Adds <see cref="BatchingMessageWriter"/> (a singleton that is also a hosted service), <see cref="MessageStatusWriter"/>
    /// and <see cref="MessageHistoryQuery"/>. Call it before <c>UseOrleans</c>: hosted services stop in reverse order, so the
    /// writer then drains after the silo has stopped its grains.
    /// </summary>
    public static IServiceCollection AddChatBoostMessageStore(
        this IServiceCollection services,
        Action<BatchingMessageWriterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddLogging();
        var options = services.AddOptions<BatchingMessageWriterOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => !o.Problems().Any(), "BatchingMessageWriterOptions are out of range (MaxBatch, Linger, Capacity, EnqueueTimeout).")
            .ValidateOnStart();

        services.TryAddSingleton<BatchingMessageWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<BatchingMessageWriter>());
        services.TryAddSingleton<MessageStatusWriter>();
        services.TryAddSingleton<MessageHistoryQuery>();
        return services;
    }
}
