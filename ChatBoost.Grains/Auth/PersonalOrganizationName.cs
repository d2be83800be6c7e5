using ChatBoost.Grains.Interfaces.Auth;

namespace ChatBoost.Grains.Auth;

internal static class PersonalOrganizationName
{
    public static string For(UserView user) =>
        string.IsNullOrWhiteSpace(user.FullName) ? $"{user.Email}'s organization" : $"{user.FullName}'s organization";
}
