using ChatBoost.Configuration;
using ChatBoost.Mail;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Notifications;

/// <summary>The notifications module in the silo (its outlet subscriber is in ContactEventSubscriberRegistration).</summary>
public static class NotificationServices
{
    public static IServiceCollection AddChatBoostNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NotificationOptions>()
            .Bind(configuration.GetSection(NotificationOptions.Section))
            .Validate(o => o.RetentionDays is >= 1 and <= 3650, "NOTIFICATION_RETENTION_DAYS must be from 1 to 3650.")
            .Validate(o => o.DigestMinutes is >= 5 and <= 10_080, "NOTIFICATION_DIGEST_MINUTES must be from 5 to 10080 (a week).")
            .Validate(o => o.MailMaxAttempts is >= 1 and <= 20, "NOTIFICATION_MAIL_MAX_ATTEMPTS must be from 1 to 20.")
            .Validate(o => o.MailPollSeconds is >= 0 and <= 3600, "NOTIFICATION_MAIL_POLL_SECONDS must be from 0 to 3600.")
            .ValidateOnStart();
        services.AddSingleton<NotificationInboxStore>();
        services.AddSingleton<NotificationQueries>();
        services.AddSingleton<AnnouncementStore>();
        services.AddSingleton<TeamNotifications>();

        // E-mail: the SMTP_* settings the API uses too; without SMTP_HOST nothing is queued or sent. The silo host registers
        // the settings it loaded (and checked) at start; the grain tests' silo reads them here.
        services.TryAddSingleton(_ => SmtpOptions.Load(configuration));
        services.TryAddSingleton<IMailSender>(sp =>
            new SmtpMailTransport(sp.GetRequiredService<SmtpOptions>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("ChatBoost.Notifications.Mail")));
        services.AddSingleton<NotificationMailStore>();
        services.AddSingleton<NotificationMailDispatcher>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, NotificationMailStartup>();
        return services;
    }
}

/// <summary>Starts the mailer grain (its reminder and poll) once the silo is active; idempotent on every silo.</summary>
public sealed class NotificationMailStartup(IGrainFactory grains) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe<NotificationMailStartup>(
            ServiceLifecycleStage.Active, _ => grains.GetGrain<INotificationMailerGrain>(0).StartAsync(), _ => Task.CompletedTask);
}
