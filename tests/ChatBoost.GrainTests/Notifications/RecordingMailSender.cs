using System.Collections.Concurrent;
using ChatBoost.Mail;

namespace ChatBoost.GrainTests.Notifications;

/// <summary>A configured mail sender that records what it took; it can refuse (an SMTP failure) or throw (a crash) for one recipient.</summary>
public sealed class RecordingMailSender : IMailSender
{
    public sealed record SentMail(string To, string Subject, string Body, string? MessageId);

    public ConcurrentQueue<SentMail> Sent { get; } = new();

    /// <summary>Mail to this address is refused, as a server that does not take it.</summary>
    public string? RefuseTo { get; set; }

    /// <summary>Mail to this address throws before the server takes it, as a silo that dies mid-send.</summary>
    public string? CrashBeforeSendTo { get; set; }

    /// <summary>Mail to this address is taken, then the sender throws: a crash between the send and the mark.</summary>
    public string? CrashAfterSendTo { get; set; }

    /// <summary>How long each send takes (to let two mailers overlap).</summary>
    public TimeSpan Delay { get; set; }

    public bool IsConfigured => true;

    public string PublicUrl(string path) => "https://chatboost.test" + path;

    public async Task<bool> SendAsync(string to, string subject, string body, CancellationToken cancellationToken, string? messageId = null)
    {
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, cancellationToken);
        }

        if (to == CrashBeforeSendTo)
        {
            throw new InvalidOperationException("Simulated crash before the send.");
        }

        if (to == RefuseTo)
        {
            return false;
        }

        Sent.Enqueue(new SentMail(to, subject, body, messageId));
        if (to == CrashAfterSendTo)
        {
            throw new InvalidOperationException("Simulated crash after the send.");
        }

        return true;
    }

    public IReadOnlyList<SentMail> To(string address) => [.. Sent.Where(m => m.To == address)];
}
