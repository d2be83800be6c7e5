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

    [Id(7)] public string? Description { get; set; }

    [Id(8)] public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>Pending invitations, and closed ones for a while (so a reused token gets a precise answer).</summary>
    [Id(9)] public Dictionary<long, InvitationRecord> Invitations { get; set; } = [];

    /// <summary>Ids of the resources the organization owns, by kind ("bots", "flows", …).</summary>
    [Id(10)] public Dictionary<string, HashSet<long>> Resources { get; set; } = [];

    /// <summary>Webhook destinations a platform administrator allowed this organization beyond the platform list.</summary>
    [Id(11)] public List<string> WebhookAllowList { get; set; } = [];

    public bool IsLive => Exists && DeletedAt is null;

    public int OwnerCount => Members.Values.Count(m => m.Role == OrganizationRole.Owner);
}

[GenerateSerializer, Immutable, Alias("chatboost.organizations.MemberRecord")]
public sealed record MemberRecord(
    [property: Id(0)] OrganizationRole Role,
    [property: Id(1)] DateTimeOffset JoinedAt);

/// <summary>An invitation: only the SHA-256 of its token is kept. <see cref="InvitedUserId"/>: for that account only.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.organizations.InvitationRecord")]
public sealed record InvitationRecord(
    [property: Id(0)] long Id,
    [property: Id(1)] string Email,
    [property: Id(2)] OrganizationRole Role,
    [property: Id(3)] string TokenHash,
    [property: Id(4)] long InvitedBy,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset ExpiresAt,
    [property: Id(7)] InvitationStatus Status,
    [property: Id(8)] long? AcceptedBy = null,
    [property: Id(9)] DateTimeOffset? ClosedAt = null,
    [property: Id(10)] long? InvitedUserId = null)
{
    public InvitationStatus StatusAt(DateTimeOffset now) =>
        Status == InvitationStatus.Pending && now >= ExpiresAt ? InvitationStatus.Expired : Status;
}
