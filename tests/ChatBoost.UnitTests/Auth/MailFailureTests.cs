using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ChatBoost.Api.Auth;
using ChatBoost.Api.Hosting;
using ChatBoost.Api.Organizations;
using ChatBoost.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatBoost.UnitTests.Auth;

/// <summary>
/// The API's mail path over the real MailKit transport when a mail cannot be sent: a bad recipient address and a server
/// that does not offer STARTTLS end the way a server nobody listens on does — the invitation answers false (so the
/// endpoint says <c>email_sent: false</c>), the registration mail returns (the endpoint answers its 202) — instead of
/// throwing out of the request. Each failure is logged with the subject and the recipient, never the body.
/// </summary>
public sealed class MailFailureTests
{
    private const string Token = "TOKEN-abcdefghijklmnopqrstuvwxyz0123456789ABC";

    [Fact]
    public async Task AServerNobodyListensOn_IsAFailedSend()
    {
        var port = ClosedPort();
        await AssertFailedSendAsync(Options(port, "none"), "b@e2e.test");
    }

    [Fact]
    public async Task ARecipientThatIsNotAnAddress_IsAFailedSend_LikeAnyOther()
    {
        await using var server = await NoStartTlsServer.StartAsync();

        await AssertFailedSendAsync(Options(server.Port, "none"), "\"unterminated@e2e.test");

        Assert.False(server.Greeted, "the address was refused only after connecting: not by the parser");
    }

    [Fact]
    public async Task AServerWithoutStartTls_IsAFailedSend_LikeAnyOther_AndGetsNoAuth()
    {
        await using var server = await NoStartTlsServer.StartAsync();
        var options = Options(server.Port, "starttls");
        options.Username = "api-mailer";
        options.Password = "api-canary-pw-31f0";

        var log = await AssertFailedSendAsync(options, "b@e2e.test");

        Assert.True(server.Greeted, "the transport never reached the server");
        Assert.False(server.SawAuth, "the transport sent AUTH to a server that offered no STARTTLS");
        Assert.Contains("STARTTLS", log, StringComparison.Ordinal);
        Assert.DoesNotContain(options.Password, log, StringComparison.Ordinal);
    }

    /// <summary>Sends an invitation and a registration mail to <paramref name="to"/>; both must fail quietly; the log.</summary>
    private static async Task<string> AssertFailedSendAsync(SmtpOptions options, string to)
    {
        var log = new LogLines();
        var sender = new SmtpMailSender(options, new ProductionEnvironment(), log.For<SmtpMailSender>());

        Assert.False(await new InvitationMailer(sender, log.For<InvitationMailer>())
            .SendAsync(to, "Org", "member", Token, DateTimeOffset.UnixEpoch, CancellationToken.None));
        await new AccountMailer(sender, log.For<AccountMailer>())
            .SendRegistrationMailAsync(to, accountExisted: false, Token, DateTimeOffset.UnixEpoch, CancellationToken.None);

        var lines = log.Lines;
        Assert.Equal(2, lines.Count);
        Assert.Contains($"Sending 'You are invited to Org on ChatBoost' to {to} failed:", lines[0], StringComparison.Ordinal);
        Assert.Contains($"Sending 'Confirm your ChatBoost e-mail address' to {to} failed:", lines[1], StringComparison.Ordinal);
        Assert.All(lines, l => Assert.DoesNotContain(Token, l, StringComparison.Ordinal));
        return string.Join('\n', lines);
    }

    private static SmtpOptions Options(int port, string security) =>
        new() { Host = "127.0.0.1", Port = port, Security = security, From = "api@e2e.test" };

    /// <summary>A loopback port that was free a moment ago: connecting to it is refused.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// An SMTP server that offers AUTH but no STARTTLS (a server whose STARTTLS a man in the middle stripped): it greets,
    /// answers EHLO with <c>AUTH PLAIN LOGIN</c>, records whether a client sent AUTH, and refuses it.
    /// </summary>
    private sealed class NoStartTlsServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private Task _serving = Task.CompletedTask;
        private volatile bool _greeted;
        private volatile bool _sawAuth;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public bool Greeted => _greeted;

        public bool SawAuth => _sawAuth;

        public static Task<NoStartTlsServer> StartAsync()
        {
            var server = new NoStartTlsServer();
            server._listener.Start();
            server._serving = server.ServeAsync();
            return Task.FromResult(server);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _serving;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }

            _stop.Dispose();
        }

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                await using var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 no-starttls.test ESMTP");
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    var verb = line.Split(' ')[0].ToUpper(CultureInfo.InvariantCulture);
                    if (verb is "EHLO")
                    {
                        _greeted = true;
                        await writer.WriteLineAsync("250-no-starttls.test");
                        await writer.WriteLineAsync("250 AUTH PLAIN LOGIN");
                    }
                    else if (verb is "AUTH")
                    {
                        _sawAuth = true;
                        await writer.WriteLineAsync("535 5.7.8 Authentication refused");
                    }
                    else if (verb is "QUIT")
                    {
                        await writer.WriteLineAsync("221 Bye");
                        break;
                    }
                    else
                    {
                        await writer.WriteLineAsync("250 OK");
                    }
                }
            }
        }
    }

    private sealed class ProductionEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";

        public string ApplicationName { get; set; } = "ChatBoost.Api";

        public string ContentRootPath { get; set; } = "/";

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    /// <summary>Every line the mailers and the transport log, formatted, in order.</summary>
    private sealed class LogLines
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public ILogger<T> For<T>() => new Logger<T>(this);

        private sealed class Logger<T>(LogLines log) : ILogger<T>
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (log._lines)
                {
                    log._lines.Add(formatter(state, exception));
                }
            }
        }
    }
}
