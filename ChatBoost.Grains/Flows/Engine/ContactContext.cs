using ChatBoost.Grains.Contacts.Attributes;

namespace ChatBoost.Grains.Flows.Engine;

/// <summary>
/// What the interpreter knows of the contact: WhatsApp number, profile name, the first and last name when they were set
/// (else <c>contact.first_name</c>/<c>last_name</c> split the profile name) and typed attributes.
/// </summary>
public sealed record ContactContext(string Phone, string? Name, IReadOnlyDictionary<string, AttributeValue> Attributes)
{
    public string? FirstName { get; init; }

    public string? LastName { get; init; }
}
