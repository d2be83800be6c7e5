namespace ChatBoost.Grains.Contacts.Attributes;

/// <summary>
/// A typed contact attribute value. <see cref="ValueType"/> is one of
/// <see cref="ChatBoost.Grains.Flows.Definition.AttributeValueTypes.All"/>; <see cref="Value"/> is the canonical text
/// produced by <see cref="AttributeValues.TryNormalize"/> (a number in invariant shortest form, <c>true</c>/<c>false</c>,
/// compact JSON, or the string as given).
/// </summary>
public sealed record AttributeValue(string ValueType, string Value);
