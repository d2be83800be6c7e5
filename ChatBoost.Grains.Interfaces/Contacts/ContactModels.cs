namespace ChatBoost.Grains.Interfaces.Contacts;

/// <summary>A contact of one bot, as the API shows it. <see cref="Attributes"/> is null unless asked for.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.contacts.ContactView")]
public sealed record ContactView(
    [property: Id(0)] long Id,
    [property: Id(1)] long BotId,
    [property: Id(2)] long OrganizationId,
    [property: Id(3)] string Phone,
    [property: Id(4)] string? Name,
    [property: Id(5)] bool OptedIn,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset? UpdatedAt,
    [property: Id(8)] DateTimeOffset? LastInboundAt,
    [property: Id(9)] IReadOnlyList<AttributeView>? Attributes = null,
    [property: Id(10)] string? FirstName = null,
    [property: Id(11)] string? LastName = null,
    [property: Id(12)] string? Username = null);

/// <summary>A typed contact attribute. <see cref="Value"/> is the canonical text of its <see cref="ValueType"/>.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.contacts.AttributeView")]
public sealed record AttributeView(
    [property: Id(0)] string Key,
    [property: Id(1)] string Value,
    [property: Id(2)] string ValueType,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? UpdatedAt);

/// <summary>Creates the contact (the bot and phone are the grain's key).</summary>
[GenerateSerializer, Immutable, Alias("chatboost.contacts.CreateContactCommand")]
public sealed record CreateContactCommand(
    [property: Id(0)] long OrganizationId,
    [property: Id(1)] string? Name,
    [property: Id(2)] bool OptedIn,
    [property: Id(3)] IReadOnlyList<SetAttributeCommand> Attributes,
    [property: Id(4)] string? FirstName = null,
    [property: Id(5)] string? LastName = null);

/// <summary>Changes the name, first and last name and/or the opt-in; a null field is left as it is.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.contacts.UpdateContactCommand")]
public sealed record UpdateContactCommand(
    [property: Id(0)] string? Name,
    [property: Id(1)] bool? OptedIn,
    [property: Id(2)] string? FirstName = null,
    [property: Id(3)] string? LastName = null);

/// <summary>One attribute write: the raw value is converted to <see cref="ValueType"/> (422 when it does not convert).</summary>
[GenerateSerializer, Immutable, Alias("chatboost.contacts.SetAttributeCommand")]
public sealed record SetAttributeCommand(
    [property: Id(0)] string Key,
    [property: Id(1)] string Value,
    [property: Id(2)] string ValueType);

/// <summary>Where a contact's grain lives, found by its integer id.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.contacts.ContactAddress")]
public sealed record ContactAddress(
    [property: Id(0)] long ContactId,
    [property: Id(1)] long BotId,
    [property: Id(2)] string Phone,
    [property: Id(3)] long OrganizationId);

/// <summary>A page of contacts and the total that matched.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.contacts.ContactPage")]
public sealed record ContactPage(
    [property: Id(0)] IReadOnlyList<ContactView> Items,
    [property: Id(1)] long Total);
