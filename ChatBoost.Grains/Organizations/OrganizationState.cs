using ChatBoost.Grains.Interfaces.Organizations;

namespace ChatBoost.Grains.Organizations;

/// <summary>An organization's write model, persisted whole through Orleans' ADO.NET grain storage.</summary>
[GenerateSerializer, Alias("chatboost.organizations.OrganizationState")]
public sealed class OrganizationState
{
    [Id(0)] public bool Exists { get; set; }

    [Id(1)] public string Name { get; set; } = "";

    [Id(2)] public bool IsPersonal { get; set; }

    [Id(3)] public long CreatedBy { get; set; }

    [Id(4)] public DateTimeOffset CreatedAt { get; set; }

    [Id(5)] public Dictionary<long, MemberRecord> Members { get; set; } = [];

    [Id(6)] public DateTimeOffset? DeletedAt { get; set; }
}

[GenerateSerializer, Immutable, Alias("chatboost.organizations.MemberRecord")]
public sealed record MemberRecord(
    [property: Id(0)] OrganizationRole Role,
    [property: Id(1)] DateTimeOffset JoinedAt);
