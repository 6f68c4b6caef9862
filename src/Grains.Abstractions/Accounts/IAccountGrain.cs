using System.Collections.Immutable;

namespace HazardGrid.Accounts;

/// <summary>
/// A person's account, keyed by its case-folded user name (<see cref="AccountNames.Key"/>). It
/// alone holds the password hash and decides a sign-in, so the failed-attempt count and the
/// lock-out are counted in one place. The caller (the gateway) checks the operator's scope before
/// it calls a management method.
/// </summary>
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>Creates the account (FAILED_PRECONDITION if the user name is taken).</summary>
    Task<Account> Create(AccountProfile profile, string password);

    /// <summary>The account, or null if there is none by this name.</summary>
    Task<Account?> Find();

    /// <summary>Enables or disables the account; enabling also lifts a lock-out.</summary>
    Task<Account> SetEnabled(bool enabled);

    /// <summary>Replaces the password and lifts a lock-out.</summary>
    Task<Account> ResetPassword(string password);

    /// <summary>Checks a password: counts a failure, locks the account after too many.</summary>
    Task<SignInResult> SignIn(string password);
}

/// <summary>The user names of every account, so an operator can list them (key 0: one directory
/// for the province; it is read by operators' commands only, never on a hot path).</summary>
public interface IAccountDirectoryGrain : IGrainWithIntegerKey
{
    Task Add(string userName);

    Task<ImmutableArray<string>> List();
}
