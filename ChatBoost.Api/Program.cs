using ChatBoost.Api.Hosting;
using ChatBoost.Configuration;

// ChatBoost API: HTTP, auth and validation in front of the Orleans cluster.
try
{
    var app = ApiHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (ConfigurationException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

/// <summary>Entry point; public so that tests can reference the assembly.</summary>
public partial class Program;
