using ChatBoost.Grains.Contacts.Attributes;

namespace ChatBoost.Grains.Flows.Engine;

/// <summary>What the interpreter knows of the contact: WhatsApp number, profile name and typed attributes.</summary>
public sealed record ContactContext(string Phone, string? Name, IReadOnlyDictionary<string, AttributeValue> Attributes);
