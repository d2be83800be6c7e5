namespace ChatBoost.Grains.Interfaces.WhatsApp;

/// <summary>
/// Takes a webhook body whose signature the API has already verified, parses it, and for each change whose
/// <c>metadata.phone_number_id</c> is in <c>authenticatedPhoneNumberIds</c> (the numbers whose owning bot's effective
/// app secret verified the signature) records its messages through the contact grains and applies its statuses.
/// Every other change (another bot's number, an unknown number) is logged and dropped, and counted only in
/// <see cref="WebhookIngestResult.Skipped"/>, which the API does not reveal: a signer learns nothing about numbers it
/// does not own. A stateless worker on every silo; call it with key 0. Returns only when
/// every message of the payload is durably recorded; throws when any could not be (the API then answers 503 so that
/// Meta retries; a retry is a harmless duplicate).
/// </summary>
[Alias("chatboost.whatsapp.IWebhookIngressGrain")]
public interface IWebhookIngressGrain : IGrainWithIntegerKey
{
    [Alias("Ingest")]
    Task<WebhookIngestResult> IngestAsync(byte[] body, string[] authenticatedPhoneNumberIds);
}

/// <summary>The outcome of one webhook POST.</summary>
/// <param name="Problem">Set when the body cannot be parsed (the API answers 400); the counts are then zero.</param>
/// <param name="Received">Messages durably recorded by this call or before it (so <paramref name="Duplicates"/> included).</param>
/// <param name="Duplicates">Messages that were already recorded (Meta's retries and duplicate deliveries).</param>
/// <param name="Statuses">Statuses processed (applied, or not applied because late or repeated, or for an unknown message).</param>
/// <param name="UnknownStatuses">Statuses for a message this system does not know (logged, not an error).</param>
/// <param name="Skipped">Messages and statuses of unknown or unauthenticated phone numbers, and items the parser or the table cannot use.</param>
[GenerateSerializer, Immutable, Alias("chatboost.whatsapp.WebhookIngestResult")]
public sealed record WebhookIngestResult(
    [property: Id(0)] string? Problem,
    [property: Id(1)] int Received,
    [property: Id(2)] int Duplicates,
    [property: Id(3)] int Statuses,
    [property: Id(4)] int UnknownStatuses,
    [property: Id(5)] int Skipped)
{
    public static WebhookIngestResult BadRequest(string problem) => new(problem, 0, 0, 0, 0, 0);
}
