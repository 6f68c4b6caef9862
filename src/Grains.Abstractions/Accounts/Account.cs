using System.Text.RegularExpressions;
using HazardGrid.Common;

namespace HazardGrid.Accounts;

/// <summary>What a person's account may do: the same roles and scopes as the API's credentials
/// (a system is a machine, never a person, so it has no account).</summary>
public enum AccountRole
{
    Supervisor = 1,
    Operator = 2,
}

/// <summary>Who an account is: its user name (case-folded: the grain's key), the name people see,
/// its role and its region (a division code of the tree: 37 the province, 3704 a city, …), and for
/// a sector office's supervisor its office (appended later; null: every sector), carried into the
/// session as the credential's <c>office</c> claim.</summary>
[GenerateSerializer, Immutable, Alias("hg.AccountProfile")]
public sealed record AccountProfile(string UserName, string DisplayName, AccountRole Role, string Region, string? Office = null);

/// <summary>An account as an operator sees it: never its password hash.</summary>
[GenerateSerializer, Immutable, Alias("hg.Account")]
public sealed record Account(AccountProfile Profile, bool Enabled, int FailedAttempts, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt);

/// <summary>Why a sign-in was refused. Kept for the service's log; a person is told the same words
/// whatever the reason, so a refusal does not reveal whether a user name exists.</summary>
public enum SignInRefusal
{
    None = 0,
    UnknownOrWrongPassword = 1,
    Disabled = 2,
    LockedOut = 3,
}

/// <summary>The profile of the account signed in, or why not.</summary>
[GenerateSerializer, Immutable, Alias("hg.SignInResult")]
public sealed record SignInResult(AccountProfile? Profile, SignInRefusal Refusal)
{
    public bool Succeeded => Profile is not null && Refusal == SignInRefusal.None;
}

/// <summary>The rules for user names and passwords, checked where they enter (the gateway) and again in the grain.</summary>
public static partial class AccountNames
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;

    /// <summary>The grain key of a user name: trimmed and case-folded, so Zhang.Wei and zhang.wei are one account.</summary>
    public static string Key(string userName) => userName.Trim().ToLowerInvariant();

    /// <summary>Refuses a user name that is not 2–64 of a–z, 0–9, '.', '_', '-' (starting with a letter or digit).</summary>
    public static string Require(string? userName, string field = "user_name")
    {
        var key = Key(userName ?? "");
        return UserName().IsMatch(key)
            ? key
            : throw DomainException.Invalid(field, "a user name is 2 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
    }

    public static void RequirePassword(string? password, string field = "password")
    {
        if (password is null || password.Length < MinPasswordLength || password.Length > MaxPasswordLength)
        {
            throw DomainException.Invalid(field, $"a password is {MinPasswordLength} to {MaxPasswordLength} characters");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex UserName();
}
