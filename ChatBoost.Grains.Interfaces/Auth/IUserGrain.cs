namespace ChatBoost.Grains.Interfaces.Auth;

/// <summary>
/// One user, keyed by the integer id from the <c>users</c> sequence. The grain owns its row in the
/// <c>users</c> table and keeps it in memory; every authenticated request asks it whether the user is
/// still active, so a deactivation takes effect on the next request.
/// </summary>
[Alias("chatboost.auth.IUserGrain")]
public interface IUserGrain : IGrainWithIntegerKey
{
    /// <summary>The user, or null when no user has this id.</summary>
    [Alias("Get")]
    Task<UserView?> GetAsync();

    /// <summary>Reads the user's row again (after the directory changed it, e.g. verified the address).</summary>
    [Alias("Reload")]
    Task<UserView?> ReloadAsync();

    /// <summary>Activates or deactivates the user; a deactivated user's tokens stop working on the next request.</summary>
    [Alias("SetActive")]
    Task<UserView?> SetActiveAsync(bool isActive);
}
