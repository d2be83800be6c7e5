namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>
/// The notification system with a second API process on the same cluster, and the per-user observer renewed only every
/// 30 s (the longest allowed): whatever a test sees happen sooner did not wait for a renewal tick.
/// </summary>
public sealed class TwoApiNotificationFixture : NotificationSystemFixture
{
    /// <summary>The second API process's address (the same cluster, database and signing key as the first).</summary>
    public Uri SecondApi => System.ApiAddresses[1];

    protected override int ResubscribeSeconds => 30;

    protected override int Apis => 2;
}
