using ChatBoost.Api.Auth;
using ChatBoost.Api.Hosting;
using ChatBoost.Api.Organizations;
using ChatBoost.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatBoost.UnitTests.Auth;

/// <summary>Without SMTP, a token may reach the log in Development and Test only — never in production.</summary>
public class MailTokenLoggingTests
{
    private const string Token = "TOKEN-abcdefghijklmnopqrstuvwxyz0123456789ABC";

    [Theory]
    [InlineData("Production", false)]
    [InlineData("Staging", false)]
    [InlineData("Development", true)]
    [InlineData("Test", true)]
    public async Task TokensAreLoggedOnlyInDevelopmentAndTest(string environment, bool logged)
    {
        var log = new CapturingLogger();
        var sender = new SmtpMailSender(new SmtpOptions(), new Environment(environment), new CapturingLogger<SmtpMailSender>(log));
        await new AccountMailer(sender, new CapturingLogger<AccountMailer>(log))
            .SendRegistrationMailAsync("a@e2e.test", accountExisted: false, Token, DateTimeOffset.UnixEpoch, CancellationToken.None);
        await new InvitationMailer(sender, new CapturingLogger<InvitationMailer>(log))
            .SendAsync("b@e2e.test", "Org", "member", Token, DateTimeOffset.UnixEpoch, CancellationToken.None);

        Assert.Equal(2, log.Lines.Count);
        Assert.All(log.Lines, line => Assert.Equal(logged, line.Contains(Token, StringComparison.Ordinal)));
        Assert.All(log.Lines, line => Assert.Contains("SMTP is not configured", line, StringComparison.Ordinal));
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "ChatBoost.Api";

        public string ContentRootPath { get; set; } = "/";

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private sealed class CapturingLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }

    private sealed class CapturingLogger<T>(CapturingLogger inner) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
