using System.Net;
using ChatBoost.Testing;
using Npgsql;

namespace ChatBoost.EndToEndTests.Harness;

/// <summary>
/// The real system for end-to-end tests: a fresh PostgreSQL database, its own Orleans cluster id on the test
/// Redis, N silo processes and one API process, all started with `dotnet X.dll` exactly as in production.
/// Every HTTP response body is recorded, so a test can search the whole conversation for a secret.
/// </summary>
public sealed class ChatBoostSystem : IAsyncDisposable
{
    /// <summary>The signing key the processes use; tests use it to forge tokens (expired, wrong audience, …).</summary>
    public const string SecretKey = "e2e-secret-key-with-more-than-thirty-two-bytes-0123456789";

    private readonly Dictionary<string, string?> _environment;
    private readonly List<ChildProcess> _silos = [];
    private readonly List<ChildProcess> _stopped = [];
    private readonly ResponseRecorder _recorder = new();
    private readonly List<ChildProcess> _extraApis = [];
    private ChildProcess? _api;

    private ChatBoostSystem(TestDatabase database, Dictionary<string, string?> environment, int apiPort)
    {
        Database = database;
        _environment = environment;
        BaseAddress = new Uri($"http://127.0.0.1:{apiPort}");
        _recorder.InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) };
        Http = new HttpClient(_recorder) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        RegistrationMail.Register(Http, this);
    }

    public TestDatabase Database { get; }

    public Uri BaseAddress { get; }

    /// <summary>A client whose responses are all recorded (see <see cref="RecordedResponses"/>).</summary>
    public HttpClient Http { get; }

    public IReadOnlyList<ChildProcess> Silos => _silos;

    public ChildProcess Api => _api ?? throw new InvalidOperationException("Not started.");

    public IReadOnlyList<string> RecordedResponses => _recorder.Bodies;

    /// <summary>Everything every process of this system has written so far, including stopped ones.</summary>
    public string AllLogs => string.Join(Environment.NewLine, _stopped.Concat(_silos).Append(_api).Concat(_extraApis).OfType<ChildProcess>().Select(p => p.Output));

    /// <param name="silos">How many silo processes.</param>
    /// <param name="environment">Extra or overriding environment variables for every process.</param>
    public static async Task<ChatBoostSystem> StartAsync(int silos = 1, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var database = await TestDatabase.CreateAsync("e2e");
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

        var system = new ChatBoostSystem(database, env, FreePort.Next());
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

    /// <summary>Stops the API process gracefully and starts it again (the silos keep running).</summary>
    public async Task RestartApiAsync()
    {
        await Api.StopAsync();
        _stopped.Add(Api);
        _api = ChildProcess.Start("api", Build.ApiDll, new Dictionary<string, string?>(_environment)
        {
            ["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/'),
        });
        await WaitUntilReadyAsync(BaseAddress, [.. _silos, Api], TimeSpan.FromSeconds(120));
    }

    /// <summary>
    /// One more API process on its own port against the same cluster and database (the environment of the first, so the
    /// same signing key): what a second instance behind a load balancer is. Disposing it stops it; its output stays in
    /// <see cref="AllLogs"/>.
    /// </summary>
    public async Task<ExtraApi> StartExtraApiAsync()
    {
        var address = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var process = ChildProcess.Start($"api-extra{_extraApis.Count + 1}", Build.ApiDll, new Dictionary<string, string?>(_environment)
        {
            ["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/'),
        });
        _extraApis.Add(process);
        var extra = new ExtraApi(address, process);
        try
        {
            await WaitUntilReadyAsync(address, [.. _silos, process], TimeSpan.FromSeconds(120));
        }
        catch
        {
            await extra.DisposeAsync();
            throw;
        }

        return extra;
    }

    /// <summary>SIGKILL of one silo process (no shutdown, nothing flushed): a machine that died.</summary>
    public async Task KillSiloAsync(int index)
    {
        var silo = _silos[index];
        await silo.KillAsync();
        _silos.RemoveAt(index);
        _stopped.Add(silo);
    }

    /// <summary>Starts one more silo process on fresh ports (the same database and cluster), e.g. after a kill.</summary>
    public void StartSilo()
    {
        var env = new Dictionary<string, string?>(_environment)
        {
            ["SILO_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GATEWAY_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        _silos.Add(ChildProcess.Start($"silo{_silos.Count + _stopped.Count + 1}", Build.SiloDll, env));
    }

    public async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var extra in _extraApis)
        {
            await extra.StopAsync();
        }

        await StopProcessesAsync();
        Http.Dispose();
        await Database.DisposeAsync();
    }

    private async Task StartProcessesAsync(int silos)
    {
        for (var i = 0; i < silos; i++)
        {
            var env = new Dictionary<string, string?>(_environment)
            {
                ["SILO_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["GATEWAY_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            _silos.Add(ChildProcess.Start($"silo{i + 1}", Build.SiloDll, env));
        }

        _api = ChildProcess.Start("api", Build.ApiDll, new Dictionary<string, string?>(_environment)
        {
            ["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/'),
        });
        await WaitUntilReadyAsync(BaseAddress, [.. _silos, Api], TimeSpan.FromSeconds(120));
    }

    private async Task StopProcessesAsync()
    {
        var running = _silos.Prepend(_api).OfType<ChildProcess>().ToList();
        foreach (var process in running)
        {
            await process.StopAsync();
        }

        _stopped.AddRange(running);
        _silos.Clear();
        _api = null;
    }

    private async Task WaitUntilReadyAsync(Uri api, IReadOnlyList<ChildProcess> processes, TimeSpan timeout)
    {
        using var probe = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var exited = processes.FirstOrDefault(p => p.HasExited);
            if (exited is not null)
            {
                throw new InvalidOperationException($"{exited.Name} exited with code {exited.ExitCode} during start:\n{exited.Output}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
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
