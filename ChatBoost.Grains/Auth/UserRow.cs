using ChatBoost.Grains.Interfaces.Auth;

namespace ChatBoost.Grains.Auth;

/// <summary>A row of the <c>users</c> table as Dapper reads it (snake_case columns via aliases in the SQL).</summary>
internal sealed record UserRow(long Id, string Email, string? FullName, bool IsActive, DateTime CreatedAt, long PersonalOrganizationId, bool EmailVerified)
{
    public const string Columns =
        "id AS Id, email AS Email, full_name AS FullName, is_active AS IsActive, created_at AS CreatedAt, personal_organization_id AS PersonalOrganizationId, email_verified_at IS NOT NULL AS EmailVerified";

    public UserView ToView() =>
        new(Id, Email, FullName, IsActive, new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)), PersonalOrganizationId, EmailVerified);
}
