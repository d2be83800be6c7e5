namespace ChatBoost.Grains.Flows.Http;

/// <summary>
/// Thrown by <see cref="WebhookCaller"/>'s connect callback when the destination is forbidden; the handler wraps it in
/// an <see cref="HttpRequestException"/>, and <see cref="WebhookCaller.CallAsync"/> turns it into
/// <see cref="WebhookFailureKind.DestinationRefused"/>.
/// </summary>
internal sealed class DestinationRefusedException(string message) : Exception(message);
