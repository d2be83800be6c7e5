using System.Reflection;

namespace ChatBoost.EndToEndTests.Harness;

/// <summary>Where the built Silo and API live: the same configuration as this test assembly.</summary>
public static class Build
{
    public static string RepositoryRoot { get; } = FindRoot();

    private static string Configuration =>
        typeof(Build).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string SiloDll => Output("ChatBoost.Silo");

    public static string ApiDll => Output("ChatBoost.Api");

    private static string Output(string project)
    {
        var path = Path.Combine(RepositoryRoot, project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{project} is not built at {path}. Build the solution first (scripts/test.sh does).");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ChatBoost.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ChatBoost.sln not found above " + AppContext.BaseDirectory);
    }
}
