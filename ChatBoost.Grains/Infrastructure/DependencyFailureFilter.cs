using System.Data.Common;
using ChatBoost.Grains.Interfaces;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Infrastructure;

/// <summary>
/// At the grain boundary, turns database driver failures into <see cref="DependencyUnavailableException"/>
/// (logged here with the cause), so no driver type or connection detail crosses to clients.
/// </summary>
public sealed class DependencyFailureFilter(ILogger<DependencyFailureFilter> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (DbException e)
        {
            logger.LogError(e, "Database failure in {Grain}.{Method}", context.InterfaceName, context.MethodName);
            throw new DependencyUnavailableException("The database is unavailable. Retry shortly.");
        }
    }
}
