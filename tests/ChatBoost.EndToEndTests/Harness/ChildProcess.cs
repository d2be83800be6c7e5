using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace ChatBoost.EndToEndTests.Harness;

/// <summary>
/// A real ChatBoost process (silo or API) started with `dotnet X.dll`, its output captured for assertions
/// (no secrets in logs) and for the failure message when it does not come up.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private const int SigStop = 19;
    private const int SigCont = 18;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChildProcess(string name, Process process, IReadOnlyDictionary<string, string?> environment)
    {
        Name = name;
        _process = process;
        Environment = environment;
    }

    public string Name { get; }

    /// <summary>The variables this process was given on top of the clean slate (its ports, for one).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int Pid => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>The process's resident memory (VmRSS in /proc), 0 once it has gone.</summary>
    public long ResidentBytes
    {
        get
        {
            try
            {
                var line = File.ReadLines($"/proc/{Pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
            catch (IOException)
            {
                return 0;
            }
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>How many characters of output there are so far: a mark for <see cref="OutputSince"/>.</summary>
    public int OutputLength
    {
        get
        {
            lock (_output)
            {
                return _output.Length;
            }
        }
    }

    /// <summary>The output after <paramref name="mark"/> (an earlier <see cref="OutputLength"/>), without copying all of it.</summary>
    public string OutputSince(int mark)
    {
        lock (_output)
        {
            return _output.ToString(mark, _output.Length - mark);
        }
    }

    public static ChildProcess Start(string name, string dllPath, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dllPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dllPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Start from a clean slate: nothing from the developer's shell leaks into the system under test.
        foreach (var variable in ChatBoostVariables)
        {
            info.Environment.Remove(variable);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process, new Dictionary<string, string?>(environment));
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the process to exit by itself (for processes expected to refuse to start).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM and wait (graceful shutdown); SIGKILL if it does not stop in time.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = Kill(_process.Id, SigTerm);
        try
        {
            using var cts = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGSTOP: the process freezes (a VM paused, a stop-the-world stall) without knowing it.</summary>
    public void Pause() => _ = Kill(_process.Id, SigStop);

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => _ = Kill(_process.Id, SigCont);

    /// <summary>kill -9: a crash, for failure tests.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static readonly string[] ChatBoostVariables =
    [
        "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ENVIRONMENT", "DEBUG", "ACCESS_TOKEN_EXPIRE_MINUTES", "ADMIN_EMAILS",
        "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID", "SILO_PORT", "GATEWAY_PORT", "SILO_ADVERTISED_IP",
        "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "MAX_REQUEST_BODY_BYTES",
        "ORLEANS_TLS_CERTIFICATE_PATH", "ORLEANS_TLS_CERTIFICATE_PASSWORD", "DATA_PROTECTION_CERTIFICATE_PATH",
        "DATA_PROTECTION_CERTIFICATE_PASSWORD", "DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS",
    ];

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
