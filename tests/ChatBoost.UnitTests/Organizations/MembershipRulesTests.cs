using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Organizations;
using ChatBoost.Grains.Organizations;

namespace ChatBoost.UnitTests.Organizations;

public class MembershipRulesTests
{
    private const long Owner = 1, Admin = 2, Member = 3, Viewer = 4, Outsider = 9;

    private static OrganizationState State(params (long Id, OrganizationRole Role)[] extra)
    {
        var state = new OrganizationState { Exists = true, Name = "T" };
        foreach (var (id, role) in new[] { (Owner, OrganizationRole.Owner), (Admin, OrganizationRole.Admin), (Member, OrganizationRole.Member), (Viewer, OrganizationRole.Viewer) }.Concat(extra))
        {
            state.Members[id] = new MemberRecord(role, DateTimeOffset.UnixEpoch);
        }

        return state;
    }

    private static CommandStatus? ChangeRole(OrganizationState s, long actor, long target, OrganizationRole role) =>
        MembershipRules.CheckChangeRole<bool>(s, actor, target, role)?.Status;

    private static CommandStatus? Remove(OrganizationState s, long actor, long target) =>
        MembershipRules.CheckRemove<bool>(s, actor, target)?.Status;

    [Theory]
    [InlineData(Owner, Member, OrganizationRole.Admin, null)]
    [InlineData(Owner, Admin, OrganizationRole.Owner, null)]
    [InlineData(Admin, Member, OrganizationRole.Viewer, null)]
    [InlineData(Admin, Member, OrganizationRole.Owner, CommandStatus.Forbidden)]
    [InlineData(Admin, Owner, OrganizationRole.Viewer, CommandStatus.Forbidden)]
    [InlineData(Admin, Admin, OrganizationRole.Viewer, CommandStatus.Forbidden)]
    [InlineData(Owner, Owner, OrganizationRole.Admin, CommandStatus.Forbidden)]
    [InlineData(Member, Viewer, OrganizationRole.Member, CommandStatus.Forbidden)]
    [InlineData(Viewer, Member, OrganizationRole.Viewer, CommandStatus.Forbidden)]
    [InlineData(Outsider, Member, OrganizationRole.Viewer, CommandStatus.NotFound)]
    [InlineData(Owner, Outsider, OrganizationRole.Viewer, CommandStatus.NotFound)]
    public void RoleChanges(long actor, long target, OrganizationRole role, CommandStatus? expected) =>
        Assert.Equal(expected, ChangeRole(State(), actor, target, role));

    [Fact]
    public void AnotherOwnerMayDemoteAnOwnerWhileOneRemains()
    {
        var s = State((5, OrganizationRole.Owner));
        Assert.Null(ChangeRole(s, 5, Owner, OrganizationRole.Admin));
    }

    [Theory]
    [InlineData(Owner, Member, null)]
    [InlineData(Admin, Member, null)]
    [InlineData(Member, Member, null)]
    [InlineData(Viewer, Viewer, null)]
    [InlineData(Admin, Owner, CommandStatus.Forbidden)]
    [InlineData(Member, Viewer, CommandStatus.Forbidden)]
    [InlineData(Owner, Owner, CommandStatus.Conflict)]
    [InlineData(Outsider, Member, CommandStatus.NotFound)]
    public void Removals(long actor, long target, CommandStatus? expected) =>
        Assert.Equal(expected, Remove(State(), actor, target));

    [Fact]
    public void AnOwnerMayLeaveWhenAnotherOwnerStays() =>
        Assert.Null(Remove(State((5, OrganizationRole.Owner)), Owner, Owner));

    [Fact]
    public void ADeletedOrganizationAnswersNotFoundToEveryone()
    {
        var s = State();
        s.DeletedAt = DateTimeOffset.UnixEpoch;
        Assert.Equal(CommandStatus.NotFound, MembershipRules.CheckPermission<bool>(s, Owner, Permissions.OrganizationRead)?.Status);
    }

    [Fact]
    public void OnlyOwnersGrantOwner()
    {
        Assert.Equal(CommandStatus.Forbidden, MembershipRules.CheckGrant<bool>(State(), Admin, OrganizationRole.Owner)?.Status);
        Assert.Null(MembershipRules.CheckGrant<bool>(State(), Owner, OrganizationRole.Owner));
        Assert.Null(MembershipRules.CheckGrant<bool>(State(), Admin, OrganizationRole.Admin));
    }

    [Fact]
    public void RolesAreCumulative()
    {
        Assert.True(Permissions.Of(OrganizationRole.Viewer).IsSubsetOf(Permissions.Of(OrganizationRole.Member)));
        Assert.True(Permissions.Of(OrganizationRole.Member).IsSubsetOf(Permissions.Of(OrganizationRole.Admin)));
        Assert.True(Permissions.Of(OrganizationRole.Admin).IsSubsetOf(Permissions.Of(OrganizationRole.Owner)));
        Assert.Equal(Permissions.All.Count, Permissions.Of(OrganizationRole.Owner).Count);
        Assert.DoesNotContain(Permissions.BotsWrite, Permissions.Of(OrganizationRole.Viewer));
    }
}
