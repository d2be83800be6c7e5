namespace ChatBoost.EndToEndTests.Harness;

// The end-to-end classes that run longest on a system of their own (kills and restarts, mail retries after their back-off,
// an aggregation over a day of traffic). Each is a collection of its own, like any class without one, and says how long it
// runs so that LongestFirstCollectionOrderer starts it among the first instead of leaving it to run alone at the end.

[CollectionDefinition(Name)]
[ExpectedDuration(130)]
public sealed class CrashRecoveryCollection
{
    public const string Name = "crash-recovery";
}

[CollectionDefinition(Name)]
[ExpectedDuration(110)]
public sealed class HeldSendCrashCollection
{
    public const string Name = "held-send-crash";
}

[CollectionDefinition(Name)]
[ExpectedDuration(120)]
public sealed class AnalyticsEndToEndCollection
{
    public const string Name = "analytics-end-to-end";
}

[CollectionDefinition(Name)]
[ExpectedDuration(105)]
public sealed class NotificationRecoveryCollection
{
    public const string Name = "notification-recovery";
}

[CollectionDefinition(Name)]
[ExpectedDuration(70)]
public sealed class NotificationStartTlsCollection
{
    public const string Name = "notification-starttls";
}

[CollectionDefinition(Name)]
[ExpectedDuration(50)]
public sealed class NotificationSmtpCollection
{
    public const string Name = "notification-smtp";
}

[CollectionDefinition(Name)]
[ExpectedDuration(35)]
public sealed class NotificationStrippedStartTlsCollection
{
    public const string Name = "notification-stripped-starttls";
}
