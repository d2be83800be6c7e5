using ChatBoost.Configuration;
using ChatBoost.Hosting;
using ChatBoost.Silo.Hosting;
using ChatBoost.Silo.Migrations;

// ChatBoost silo: hosts the grains. `ChatBoost.Silo` runs the silo (applying migrations first);
// `ChatBoost.Silo migrate` applies the migrations and exits.
try
{
    var command = args.FirstOrDefault();
    if (command is not (null or "run" or "migrate") && !command.StartsWith('-'))
    {
        await Console.Error.WriteLineAsync($"Unknown command '{command}'. Usage: ChatBoost.Silo [run|migrate]");
        return 64;
    }

    using var host = SiloHost.Build(args.Where(a => a is not ("run" or "migrate")).ToArray(), out var settings);
    var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ChatBoost.Silo");
    var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();

    try
    {
        await MigrationRunner.ApplyAsync(settings.DatabaseConnectionString, logger, lifetime.ApplicationStopping);
    }
    catch (Exception e) when (e is MigrationChecksumMismatchException or Npgsql.NpgsqlException or TimeoutException)
    {
        // The schema cannot be brought up to date: starting grains on it would fail later and worse.
        logger.LogCritical("Database migration failed; the silo does not start: {Reason}", e.Message);
        return 3;
    }

    if (command == "migrate")
    {
        return 0;
    }

    await host.RunAsync();
    return 0;
}
catch (ConfigurationException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}
catch (StartupDependencyException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 4;
}
