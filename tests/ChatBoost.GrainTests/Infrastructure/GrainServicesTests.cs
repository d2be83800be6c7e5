using System.Reflection;
using ChatBoost.Grains.Contacts;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBoost.GrainTests.Infrastructure;

/// <summary>
/// The grain-test silo is configured by the real silo's one registration path (<c>SiloHost.AddChatBoostServices</c>); this
/// proves that path satisfies every grain: a constructor dependency that is not registered fails here, not when a
/// rarely taken path first activates the grain in production.
/// </summary>
[Collection(ChatBoostClusterCollection.Name)]
public class GrainServicesTests(ChatBoostClusterFixture fixture)
{
    [Fact]
    public void EveryGrainsConstructorDependenciesAreRegistered()
    {
        var services = fixture.Cluster.Silos[0].ServiceProvider;
        var grains = typeof(ContactGrain).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(Grain).IsAssignableFrom(t))
            .ToList();
        Assert.Contains(typeof(ContactGrain), grains);

        var missing = new List<string>();
        foreach (var grain in grains)
        {
            foreach (var constructor in grain.GetConstructors())
            {
                foreach (var parameter in constructor.GetParameters())
                {
                    // [PersistentState] and similar facets are bound by Orleans' attribute mappers, not the container.
                    if (parameter.GetCustomAttributes().Any(a => a.GetType().Namespace?.StartsWith("Orleans", StringComparison.Ordinal) == true))
                    {
                        continue;
                    }

                    if (services.GetService(parameter.ParameterType) is null)
                    {
                        missing.Add($"{grain.Name}({parameter.ParameterType.Name} {parameter.Name})");
                    }
                }
            }
        }

        Assert.True(missing.Count == 0, "Not registered: " + string.Join(", ", missing));
    }
}
