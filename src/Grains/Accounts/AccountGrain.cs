using HazardGrid.Common;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace HazardGrid.Accounts;

/// <summary>The persisted state of an account: the password only as ASP.NET Core Identity's hash
/// (PBKDF2 with a per-password salt, its format versioned inside the hash).</summary>
[GenerateSerializer, Alias("hg.AccountState")]
public sealed record AccountState
{
    /// <summary>Null until the account is created.</summary>
    [Id(0)] public AccountProfile? Profile { get; init; }
    [Id(1)] public string PasswordHash { get; init; } = "";
    [Id(2)] public bool Enabled { get; init; }
    [Id(3)] public int FailedAttempts { get; init; }
    [Id(4)] public DateTimeOffset? LockedUntil { get; init; }
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }

    public Account ToAccount() => new(Profile!, Enabled, FailedAttempts, LockedUntil, CreatedAt);
}

/// <summary>One person's account, keyed by the case-folded user name: checks its password, counts
/// failed sign-ins and locks itself after too many. Scope checks are the caller's (the gateway).</summary>
public sealed class AccountGrain(
    [PersistentState("account", StorageNames.Store)] IPersistentState<AccountState> state,
    IOptions<AccountOptions> options,
    DomainClock clock) : Grain, IAccountGrain
{
    private static readonly PasswordHasher<AccountState> s_hasher = new();

    // Verified when the user name is unknown, so an unknown name costs the same time as a wrong password.
    private static readonly string s_decoyHash = s_hasher.HashPassword(new AccountState(), Guid.NewGuid().ToString());

    private string UserName => this.GetPrimaryKeyString();

    public async Task<Account> Create(AccountProfile profile, string password)
    {
        AccountNames.RequirePassword(password);
        if (state.State.Profile is not null)
        {
            throw DomainException.Precondition("user_name", $"an account named {UserName} exists already");
        }

        // Listed first: an entry whose account was never stored is skipped by the list, while an
        // account missing from the directory would be invisible to operators.
        await GrainFactory.GetGrain<IAccountDirectoryGrain>(0).Add(UserName);
        var named = profile with { UserName = UserName };
        await Write(new AccountState { Profile = named, PasswordHash = s_hasher.HashPassword(state.State, password), Enabled = true, CreatedAt = clock.Now });
        return state.State.ToAccount();
    }

    public Task<Account?> Find() => Task.FromResult(state.State.Profile is null ? null : state.State.ToAccount());

    public async Task<Account> SetEnabled(bool enabled)
    {
        var current = Existing();
        await Write(enabled ? current with { Enabled = true, FailedAttempts = 0, LockedUntil = null } : current with { Enabled = false });
        return state.State.ToAccount();
    }

    public async Task<Account> ResetPassword(string password)
    {
        AccountNames.RequirePassword(password);
        var current = Existing();
        await Write(current with { PasswordHash = s_hasher.HashPassword(current, password), FailedAttempts = 0, LockedUntil = null });
        return state.State.ToAccount();
    }

    public async Task<SignInResult> SignIn(string password)
    {
        var current = state.State;
        if (current.Profile is null)
        {
            s_hasher.VerifyHashedPassword(current, s_decoyHash, password ?? "");
            return new SignInResult(null, SignInRefusal.UnknownOrWrongPassword);
        }

        var now = clock.Now;
        if (current.LockedUntil is { } until && until > now)
        {
            return new SignInResult(null, SignInRefusal.LockedOut); // not even checked: guessing while locked gains nothing
        }

        var verdict = s_hasher.VerifyHashedPassword(current, current.PasswordHash, password ?? "");
        if (verdict == PasswordVerificationResult.Failed)
        {
            var failures = current.FailedAttempts + 1;
            var locks = failures >= options.Value.MaxFailedAttempts;
            await Write(current with { FailedAttempts = locks ? 0 : failures, LockedUntil = locks ? now + options.Value.LockoutDuration : null });
            return new SignInResult(null, SignInRefusal.UnknownOrWrongPassword);
        }

        if (!current.Enabled)
        {
            return new SignInResult(null, SignInRefusal.Disabled);
        }

        if (current.FailedAttempts != 0 || current.LockedUntil is not null || verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            var hash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? s_hasher.HashPassword(current, password!) : current.PasswordHash;
            await Write(current with { PasswordHash = hash, FailedAttempts = 0, LockedUntil = null });
        }

        return new SignInResult(current.Profile, SignInRefusal.None);
    }

    private AccountState Existing() =>
        state.State.Profile is not null ? state.State : throw DomainException.NotFound("user_name", $"no account named {UserName}");

    private async Task Write(AccountState next)
    {
        state.State = next;
        await state.WriteStateAsync(); // the caller hears of a change only once it is stored
    }
}
