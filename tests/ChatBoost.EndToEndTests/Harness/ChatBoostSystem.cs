using System.Net;
using ChatBoost.Testing;
using Npgsql;

namespace ChatBoost.EndToEndTests.Harness;

/// <summary>
/// The real system for end-to-end tests: a fresh PostgreSQL database, its own Orleans cluster id on the test
/// Redis, N silo processes and M API processes (one unless asked), all started with `dotnet X.dll` exactly as in production.
/// Every HTTP response body is recorded, so a test can search the whole conversation for a secret.
/// </summary>
public sealed class ChatBoostSystem : IAsyncDisposable
{
    /// <summary>The signing key the processes use; tests use it to forge tokens (expired, wrong audience, …).</summary>
    public const string SecretKey = "e2e-secret-key-with-more-than-thirty-two-bytes-0123456789";

    private readonly Dictionary<string, string?> _environment;
    private readonly Dictionary<string, string?> _siloEnvironment;
    private readonly List<ChildProcess> _silos = [];
    private readonly List<ChildProcess> _stopped = [];
    private readonly ResponseRecorder _recorder = new();
    private readonly ChildProcess?[] _apis;

    private ChatBoostSystem(TestDatabase database, Dictionary<string, string?> environment, Dictionary<string, string?> siloEnvironment, int apis)
    {
        Database = database;
        _environment = environment;
        _siloEnvironment = siloEnvironment;
        ApiAddresses = Enumerable.Range(0, apis).Select(_ => new Uri($"http://127.0.0.1:{FreePort.Next()}")).ToArray();
        _apis = new ChildProcess?[apis];
        BaseAddress = ApiAddresses[0];
        _recorder.InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) };
        Http = new HttpClient(_recorder) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        RegistrationMail.Register(Http, this);
    }

    public TestDatabase Database { get; }

    /// <summary>The first API process's address (the one <see cref="Http"/> talks to).</summary>
    public Uri BaseAddress { get; }

    /// <summary>Every API process's address; each keeps its address across restarts.</summary>
    public IReadOnlyList<Uri> ApiAddresses { get; }

    /// <summary>A client whose responses are all recorded (see <see cref="RecordedResponses"/>).</summary>
    public HttpClient Http { get; }

    public IReadOnlyList<ChildProcess> Silos => _silos;

    public ChildProcess Api => _apis[0] ?? throw new InvalidOperationException("Not started.");

    /// <summary>The API processes by index; null for one that was stopped or killed and not started again.</summary>
    public IReadOnlyList<ChildProcess?> Apis => _apis;

    public IReadOnlyList<string> RecordedResponses => _recorder.Bodies;

    /// <summary>Everything every process of this system has written so far, including stopped ones.</summary>
    public string AllLogs => string.Join(Environment.NewLine, _stopped.Concat(_silos).Concat(_apis).OfType<ChildProcess>().Select(p => p.Output));

    /// <param name="silos">How many silo processes.</param>
    /// <param name="environment">Extra or overriding environment variables for every process.</param>
    /// <param name="apis">How many API processes (each on its own port, see <see cref="ApiAddresses"/>).</param>
    /// <param name="postgresServer">Another PostgreSQL server than the test environment's (a test that restarts it).</param>
    /// <param name="siloEnvironment">
    /// Extra or overriding environment variables for the silo processes only, over <paramref name="environment"/> (e.g. the
    /// silos' SMTP server for notification e-mail, while the API keeps logging its registration mail for the harness).
    /// </param>
    public static async Task<ChatBoostSystem> StartAsync(
        int silos = 1, IReadOnlyDictionary<string, string?>? environment = null, int apis = 1, string? postgresServer = null,
        IReadOnlyDictionary<string, string?>? siloEnvironment = null)
    {
        var database = await TestDatabase.CreateAsync("e2e", postgresServer);
        var env = new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = database.ConnectionString,
            ["REDIS_URL"] = TestEnvironment.RedisEndpoint,
            ["SECRET_KEY"] = SecretKey,
            ["ENVIRONMENT"] = "test",
            ["ORLEANS_SERVICE_ID"] = "chatboost-e2e",
            ["ORLEANS_CLUSTER_ID"] = "e2e-" + Guid.NewGuid().ToString("N")[..12],
            ["SILO_ADVERTISED_IP"] = "127.0.0.1",
            ["LOGIN_MAX_FAILURES_PER_IP"] = "10000",
            ["LOGIN_REQUESTS_PER_MINUTE_PER_CLIENT"] = "100000",
            ["REGISTRATIONS_PER_HOUR_PER_CLIENT"] = "100000",
            ["REGISTRATIONS_PER_MINUTE"] = "100000",
            ["BCRYPT_REGISTRATION_QUEUE"] = "16",
            // Loopback is the tests' proxy: a test may name its client with X-Forwarded-For.
            ["TRUSTED_PROXIES"] = "127.0.0.1",
            // The matrix's owner creates an organization for every scene (TenantCapTests checks the cap itself).
            ["LIMITS_ORGANIZATIONS_PER_USER"] = "100000",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        var system = new ChatBoostSystem(database, env, new Dictionary<string, string?>(siloEnvironment ?? new Dictionary<string, string?>()), apis);
        try
        {
            await system.StartProcessesAsync(silos);
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }

        return system;
    }

    /// <summary>Stops every process gracefully and starts them again on the same database and cluster.</summary>
    public async Task RestartAsync()
    {
        var count = _silos.Count;
        await StopProcessesAsync();
        await StartProcessesAsync(count);
    }

    /// <summary>Stops the (first) API process gracefully and starts it again (the silos keep running).</summary>
    public async Task RestartApiAsync(int index = 0)
    {
        await StopApiAsync(index);
        StartApi(index);
        await WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
    }

    /// <summary>SIGTERM to one API process, waiting for its graceful stop.</summary>
    public async Task StopApiAsync(int index)
    {
        if (_apis[index] is { } api)
        {
            await api.StopAsync(TimeSpan.FromSeconds(30));
            _stopped.Add(api);
            _apis[index] = null;
        }
    }

    /// <summary>SIGKILL of one API process.</summary>
    public async Task KillApiAsync(int index)
    {
        if (_apis[index] is { } api)
        {
            await api.KillAsync();
            _stopped.Add(api);
            _apis[index] = null;
        }
    }

    /// <summary>Starts API process <paramref name="index"/> again on its address (it must not be running); does not wait.</summary>
    public void StartApi(int index)
    {
        if (_apis[index] is not null)
        {
            throw new InvalidOperationException($"API {index} is running.");
        }

        _apis[index] = ChildProcess.Start(index == 0 ? "api" : $"api{index + 1}", Build.ApiDll, new Dictionary<string, string?>(_environment)
        {
            ["ASPNETCORE_URLS"] = ApiAddresses[index].ToString().TrimEnd('/'),
            ["OPS_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    /// <summary>SIGTERM to one silo process, waiting for its graceful stop (it leaves <see cref="Silos"/>).</summary>
    public async Task StopSiloAsync(int index)
    {
        var silo = _silos[index];
        await silo.StopAsync(TimeSpan.FromSeconds(45));
        _silos.RemoveAt(index);
        _stopped.Add(silo);
    }

    /// <summary>
    /// A silo process that ended by itself (one declared dead fails fast when it learns it) leaves <see cref="Silos"/>, so
    /// waiting for readiness does not take its exit for a failed start.
    /// </summary>
    public void ForgetExitedSilo(ChildProcess silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        if (!silo.HasExited || !_silos.Remove(silo))
        {
            throw new InvalidOperationException($"{silo.Name} is not an exited silo of this system.");
        }

        _stopped.Add(silo);
    }

    /// <summary>Waits until every running API process answers /health/ready.</summary>
    public Task WaitUntilReadyAsync() => WaitUntilReadyAsync(TimeSpan.FromSeconds(120));

    /// <summary>SIGKILL of one silo process (no shutdown, nothing flushed): a machine that died.</summary>
    public async Task KillSiloAsync(int index)
    {
        var silo = _silos[index];
        await silo.KillAsync();
        _silos.RemoveAt(index);
        _stopped.Add(silo);
    }

    /// <summary>Starts one more silo process on fresh ports (the same database and cluster), e.g. after a kill.</summary>
    public ChildProcess StartSilo()
    {
        var silo = ChildProcess.Start($"silo{_silos.Count + _stopped.Count + 1}", Build.SiloDll, SiloEnvironment());
        _silos.Add(silo);
        return silo;
    }

    /// <summary>The operations port (<c>OPS_PORT</c>: /metrics, /health/*) of a process of this system.</summary>
    public static Uri OpsAddress(ChildProcess process) => new($"http://127.0.0.1:{process.Environment["OPS_PORT"]}");

    public async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        await StopProcessesAsync();
        Http.Dispose();
        await Database.DisposeAsync();
    }

    private async Task StartProcessesAsync(int silos)
    {
        for (var i = 0; i < silos; i++)
        {
            _silos.Add(ChildProcess.Start($"silo{i + 1}", Build.SiloDll, SiloEnvironment()));
        }

        for (var i = 0; i < _apis.Length; i++)
        {
            StartApi(i);
        }

        await WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
    }

    /// <summary>A silo's environment: the system's, the silos' own, and fresh ports.</summary>
    private Dictionary<string, string?> SiloEnvironment()
    {
        var env = new Dictionary<string, string?>(_environment);
        foreach (var (key, value) in _siloEnvironment)
        {
            env[key] = value;
        }

        env["SILO_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["GATEWAY_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["OPS_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return env;
    }

    private async Task StopProcessesAsync()
    {
        var running = _apis.Concat(_silos).OfType<ChildProcess>().ToList();
        foreach (var process in running)
        {
            await process.StopAsync();
        }

        _stopped.AddRange(running);
        _silos.Clear();
        Array.Fill(_apis, null);
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + timeout;
        var waiting = Enumerable.Range(0, _apis.Length).Where(i => _apis[i] is not null).ToList();
        while (DateTime.UtcNow < deadline)
        {
            var exited = _silos.Concat(_apis).OfType<ChildProcess>().FirstOrDefault(p => p.HasExited);
            if (exited is not null)
            {
                throw new InvalidOperationException($"{exited.Name} exited with code {exited.ExitCode} during start:\n{exited.Output}");
            }

            foreach (var index in waiting.ToList())
            {
                try
                {
                    using var response = await probe.GetAsync(new Uri(ApiAddresses[index], "/health/ready"));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        waiting.Remove(index);
                    }
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException)
                {
                }
            }

            if (waiting.Count == 0)
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The system was not ready within {timeout}.\n{AllLogs}");
    }

    /// <summary>Records every response body that passes through <see cref="Http"/>.</summary>
    private sealed class ResponseRecorder : DelegatingHandler
    {
        private readonly List<string> _bodies = [];

        public IReadOnlyList<string> Bodies
        {
            get
            {
                lock (_bodies)
                {
                    return [.. _bodies];
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            lock (_bodies)
            {
                _bodies.Add(string.Join(' ', response.Headers.Select(h => $"{h.Key}: {string.Join(',', h.Value)}")) + "\n" + body);
            }

            return response;
        }
    }
}
