using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ChatBoost.Grains.Infrastructure;

public static class StatementWriterServices
{
    /// <summary>
    /// Adds <see cref="BatchingStatementWriter"/> (a singleton that is also a hosted service). Call it before <c>UseOrleans</c>:
    /// hosted services stop in reverse order, so the writer drains after the silo has stopped its grains.
    /// </summary>
    public static IServiceCollection AddChatBoostStatementWriter(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddLogging();
        services.TryAddSingleton<BatchingStatementWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<BatchingStatementWriter>());
        return services;
    }
}
