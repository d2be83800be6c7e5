using System.Buffers;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.ComponentModel;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace ChatBoost.EndToEndTests.Harness;

/// <summary>
/// A message the sink took: the envelope's recipients, the parsed message and its raw text (headers and body), and the
/// session it came in: over TLS or not, and the user the client authenticated as (null: none).
/// </summary>
public sealed record ReceivedMail(IReadOnlyList<string> Recipients, MimeMessage Message, string Raw, bool OverTls = false, string? User = null)
{
    /// <summary>The plain-text body (ChatBoost's mails are one text part).</summary>
    public string Text => Message.TextBody ?? "";
}

/// <summary>
/// What a sink demands beyond plain SMTP: STARTTLS with <paramref name="Certificate"/> (it must carry its private key),
/// then AUTH PLAIN or LOGIN as <paramref name="User"/> with <paramref name="Password"/>. Without a certificate the sink
/// offers no STARTTLS and takes AUTH in plain text: what a client sees when a man in the middle stripped STARTTLS from
/// the server's capabilities.
/// </summary>
public sealed record SmtpSinkSecurity(X509Certificate2? Certificate, string User, string Password);

/// <summary>A client's AUTH as the sink saw it: the user it named, whether the sink accepted it, and whether it came over TLS.</summary>
public sealed record SmtpLogin(string User, bool Accepted, bool OverTls);

/// <summary>
/// An SMTP server in the test process (the SmtpServer package) on a free loopback port, without TLS or authentication
/// (<c>SMTP_SECURITY=none</c>): it keeps every message it takes, parsed with MimeKit, and can refuse the next messages to a
/// recipient with a transient 451 (<see cref="RefuseNext"/>), as a server that is briefly unable to take mail does.
/// Started with a <see cref="SmtpSinkSecurity"/> it offers STARTTLS with that certificate and AUTH only once the session is
/// encrypted (without a certificate: no STARTTLS, AUTH in plain text), and takes no message before the client
/// authenticated (<c>SMTP_SECURITY=starttls</c> with credentials); it
/// records every AUTH (<see cref="Logins"/>, never the password), and a test can change the certificate it presents
/// (<see cref="PresentCertificate"/>) or the password it accepts (<see cref="ChangePassword"/>).
/// <see cref="Environment"/> is what points a process's <c>SMTP_*</c> settings at it.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly List<ReceivedMail> _received = [];
    private readonly List<string> _refused = [];
    private readonly List<SmtpLogin> _logins = [];
    private readonly Dictionary<string, int> _toRefuse = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stop = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;
    private readonly SmtpSinkSecurity? _security;
    private X509Certificate2? _certificate;
    private string? _password;
    private TaskCompletionSource _changed = NewSignal();

    private SmtpSink(int port, SmtpSinkSecurity? security)
    {
        Port = port;
        _security = security;
        _certificate = security?.Certificate;
        _password = security?.Password;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("smtp-sink.e2e.test")
            .Endpoint(e =>
            {
                e.Endpoint(new IPEndPoint(IPAddress.Loopback, port));
                if (security is { Certificate: not null })
                {
                    // STARTTLS is offered while the session is plain; AUTH only once it is encrypted; MAIL only after AUTH.
                    e.Certificate(new CertificateFactory(this)).AllowUnsecureAuthentication(false).AuthenticationRequired(true);
                }
                else if (security is not null)
                {
                    // STARTTLS stripped: AUTH offered in plain text; MAIL only after AUTH.
                    e.AllowUnsecureAuthentication(true).AuthenticationRequired(true);
                }
            })
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        if (security is not null)
        {
            services.Add(new DelegatingUserAuthenticator(Authenticate));
        }

        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, _) => Listening.TrySetResult();
        services.Add(listeners);
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>
    /// The <c>SMTP_*</c> settings that send to this sink: plain SMTP on loopback without credentials, or, for a sink with
    /// <see cref="SmtpSinkSecurity"/>, STARTTLS and its user and password (a client of a sink without a certificate asks for
    /// STARTTLS too, as a client whose STARTTLS was stripped does). The client must also trust the certificate
    /// (<c>SMTP_CA_FILE</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string?> Environment(string from)
    {
        var environment = new Dictionary<string, string?>
        {
            ["SMTP_HOST"] = "127.0.0.1",
            ["SMTP_PORT"] = Port.ToString(CultureInfo.InvariantCulture),
            ["SMTP_SECURITY"] = _security is null ? "none" : "starttls",
            ["SMTP_FROM"] = from,
        };
        if (_security is not null)
        {
            environment["SMTP_USERNAME"] = _security.User;
            environment["SMTP_PASSWORD"] = _security.Password;
        }

        return environment;
    }

    private TaskCompletionSource Listening { get; } = NewSignal();

    /// <summary>Starts a sink (plain, or demanding <paramref name="security"/>) and waits (at most 10 s) until it listens.</summary>
    public static async Task<SmtpSink> StartAsync(SmtpSinkSecurity? security = null)
    {
        var sink = new SmtpSink(FreePort.Next(), security);
        var started = await Task.WhenAny(sink.Listening.Task, sink._running, Task.Delay(TimeSpan.FromSeconds(10)));
        if (started != sink.Listening.Task)
        {
            await sink.DisposeAsync();
            throw new InvalidOperationException($"The SMTP sink did not listen on port {sink.Port}: {sink._running.Exception?.GetBaseException().Message ?? "timed out"}");
        }

        return sink;
    }

    /// <summary>Every message taken so far, in order.</summary>
    public IReadOnlyList<ReceivedMail> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The messages taken so far for this envelope recipient.</summary>
    public IReadOnlyList<ReceivedMail> To(string recipient) =>
        [.. Received.Where(m => m.Recipients.Contains(recipient, StringComparer.OrdinalIgnoreCase))];

    /// <summary>The recipients of every message refused so far (one entry per refusal).</summary>
    public IReadOnlyList<string> Refused
    {
        get
        {
            lock (_received)
            {
                return [.. _refused];
            }
        }
    }

    /// <summary>Every AUTH a client tried so far, in order.</summary>
    public IReadOnlyList<SmtpLogin> Logins
    {
        get
        {
            lock (_received)
            {
                return [.. _logins];
            }
        }
    }

    /// <summary>From now on, the sink presents <paramref name="certificate"/> (with its private key) when a client starts TLS.</summary>
    public void PresentCertificate(X509Certificate2 certificate)
    {
        lock (_received)
        {
            _certificate = certificate;
        }
    }

    /// <summary>From now on, the sink accepts only <paramref name="password"/> for its user: a client's old one is refused (535).</summary>
    public void ChangePassword(string password)
    {
        lock (_received)
        {
            _password = password;
        }
    }

    /// <summary>Answers the next <paramref name="count"/> messages to <paramref name="recipient"/> with 451 (try again later).</summary>
    public void RefuseNext(string recipient, int count = 1)
    {
        lock (_received)
        {
            _toRefuse[recipient] = count;
        }
    }

    /// <summary>
    /// Waits until <paramref name="done"/> holds for the messages taken (it is checked on every message and refusal), at
    /// most <paramref name="timeout"/>; fails naming <paramref name="what"/> and what did arrive.
    /// </summary>
    public async Task<IReadOnlyList<ReceivedMail>> WaitForAsync(Func<IReadOnlyList<ReceivedMail>, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task changed;
            lock (_received)
            {
                changed = _changed.Task;
            }

            var received = Received;
            if (done(received))
            {
                return received;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                Assert.Fail($"SMTP sink: {what} did not happen within {timeout.TotalSeconds} s; it took {received.Count} message(s) " +
                    $"({string.Join("; ", received.Select(m => $"to {string.Join(',', m.Recipients)}: {m.Message.Subject}"))}) and refused {Refused.Count}.");
            }

            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> messages to <paramref name="recipient"/> arrived; returns them.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> WaitForMailAsync(string recipient, TimeSpan timeout, int count = 1)
    {
        await WaitForAsync(_ => To(recipient).Count >= count, timeout, $"{count} message(s) to {recipient}");
        return To(recipient);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _server.Shutdown();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
        catch (TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private bool Authenticate(ISessionContext context, string user, string password)
    {
        lock (_received)
        {
            try
            {
                var accepted = user == _security!.User && password == _password;
                _logins.Add(new SmtpLogin(user, accepted, context.Pipe.IsSecure));
                return accepted;
            }
            finally
            {
                _changed.TrySetResult();
                _changed = NewSignal();
            }
        }
    }

    private SmtpResponse Take(IReadOnlyList<string> recipients, MimeMessage message, string raw, bool overTls, string? user)
    {
        lock (_received)
        {
            try
            {
                foreach (var recipient in recipients)
                {
                    if (_toRefuse.TryGetValue(recipient, out var left) && left > 0)
                    {
                        _toRefuse[recipient] = left - 1;
                        _refused.Add(recipient);
                        return new SmtpResponse((SmtpReplyCode)451, "4.3.0 The sink refuses this message once: try again later");
                    }
                }

                _received.Add(new ReceivedMail(recipients, message, raw, overTls, user));
                return SmtpResponse.Ok;
            }
            finally
            {
                _changed.TrySetResult();
                _changed = NewSignal();
            }
        }
    }

    /// <summary>The sink's message store: parses what the server received and hands it to the sink.</summary>
    private sealed class Store(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            var bytes = buffer.ToArray();
            using var stream = new MemoryStream(bytes);
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            var recipients = transaction.To.Select(m => $"{m.User}@{m.Host}").ToList();
            var user = context.Authentication.IsAuthenticated ? context.Authentication.User : null;
            return sink.Take(recipients, message, System.Text.Encoding.UTF8.GetString(bytes), context.Pipe.IsSecure, user);
        }
    }

    /// <summary>The certificate the sink presents at STARTTLS: asked for each session, so a change applies to the next one.</summary>
    private sealed class CertificateFactory(SmtpSink sink) : ICertificateFactory
    {
        public X509Certificate GetServerCertificate(ISessionContext sessionContext)
        {
            lock (sink._received)
            {
                return sink._certificate!;
            }
        }
    }
}
