using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>
/// The notification system with a second API process on the same cluster, and the per-user observer renewed only every
/// 30 s (the longest allowed): whatever a test sees happen sooner did not wait for a renewal tick.
/// </summary>
public sealed class TwoApiNotificationFixture : NotificationSystemFixture
{
    private ExtraApi? _second;

    public ExtraApi Second => _second ?? throw new InvalidOperationException("Not started.");

    protected override int ResubscribeSeconds => 30;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _second = await System.StartExtraApiAsync();
    }

    public override async Task DisposeAsync()
    {
        if (_second is not null)
        {
            await _second.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
