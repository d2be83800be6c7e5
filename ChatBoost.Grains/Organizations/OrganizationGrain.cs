using ChatBoost.Grains.Interfaces.Organizations;

namespace ChatBoost.Grains.Organizations;

/// <inheritdoc cref="IOrganizationGrain"/>
public sealed class OrganizationGrain(
    [PersistentState("organization", "Default")] IPersistentState<OrganizationState> state,
    OrganizationProjection projection,
    TimeProvider time) : Grain, IOrganizationGrain
{
    private long Id => this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The projection is idempotent; re-running it here repairs one that failed after a state write.
        if (state.State.Exists)
        {
            await projection.SaveAsync(Id, state.State, cancellationToken);
        }
    }

    public async Task<OrganizationView> EnsurePersonalAsync(long ownerUserId, string name)
    {
        var current = state.State;
        if (current.Exists)
        {
            if (!current.IsPersonal || current.CreatedBy != ownerUserId)
            {
                throw new InvalidOperationException($"Organization {Id} already exists and is not the personal organization of user {ownerUserId}.");
            }

            return ToView(current);
        }

        var now = time.GetUtcNow();
        current.Exists = true;
        current.Name = name;
        current.IsPersonal = true;
        current.CreatedBy = ownerUserId;
        current.CreatedAt = now;
        current.Members[ownerUserId] = new MemberRecord(OrganizationRole.Owner, now);
        await state.WriteStateAsync();
        await projection.SaveAsync(Id, current);
        return ToView(current);
    }

    public Task<OrganizationView?> GetAsync() =>
        Task.FromResult<OrganizationView?>(IsLive(state.State) ? ToView(state.State) : null);

    public Task<OrganizationRole?> GetRoleAsync(long userId) =>
        Task.FromResult(IsLive(state.State) && state.State.Members.TryGetValue(userId, out var member)
            ? member.Role
            : (OrganizationRole?)null);

    private static bool IsLive(OrganizationState s) => s.Exists && s.DeletedAt is null;

    private OrganizationView ToView(OrganizationState s) =>
        new(Id, s.Name, s.IsPersonal, s.CreatedBy, s.CreatedAt, s.Members.Count);
}
