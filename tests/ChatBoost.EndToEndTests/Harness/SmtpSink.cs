using System.Buffers;
using System.Globalization;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace ChatBoost.EndToEndTests.Harness;

/// <summary>A message the sink took: the envelope's recipients, the parsed message and its raw text (headers and body).</summary>
public sealed record ReceivedMail(IReadOnlyList<string> Recipients, MimeMessage Message, string Raw)
{
    /// <summary>The plain-text body (ChatBoost's mails are one text part).</summary>
    public string Text => Message.TextBody ?? "";
}

/// <summary>
/// An SMTP server in the test process (the SmtpServer package) on a free loopback port, without TLS or authentication
/// (<c>SMTP_SECURITY=none</c>): it keeps every message it takes, parsed with MimeKit, and can refuse the next messages to a
/// recipient with a transient 451 (<see cref="RefuseNext"/>), as a server that is briefly unable to take mail does.
/// <see cref="Environment"/> is what points a process's <c>SMTP_*</c> settings at it.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly List<ReceivedMail> _received = [];
    private readonly List<string> _refused = [];
    private readonly Dictionary<string, int> _toRefuse = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stop = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;
    private TaskCompletionSource _changed = NewSignal();

    private SmtpSink(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("smtp-sink.e2e.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, _) => Listening.TrySetResult();
        services.Add(listeners);
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>The <c>SMTP_*</c> settings that send to this sink (plain SMTP on loopback, no credentials).</summary>
    public IReadOnlyDictionary<string, string?> Environment(string from) => new Dictionary<string, string?>
    {
        ["SMTP_HOST"] = "127.0.0.1",
        ["SMTP_PORT"] = Port.ToString(CultureInfo.InvariantCulture),
        ["SMTP_SECURITY"] = "none",
        ["SMTP_FROM"] = from,
    };

    private TaskCompletionSource Listening { get; } = NewSignal();

    /// <summary>Starts a sink and waits (at most 10 s) until it listens.</summary>
    public static async Task<SmtpSink> StartAsync()
    {
        var sink = new SmtpSink(FreePort.Next());
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

    private SmtpResponse Take(IReadOnlyList<string> recipients, MimeMessage message, string raw)
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

                _received.Add(new ReceivedMail(recipients, message, raw));
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
            return sink.Take(recipients, message, System.Text.Encoding.UTF8.GetString(bytes));
        }
    }
}
