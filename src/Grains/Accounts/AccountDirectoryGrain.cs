using System.Collections.Immutable;
using HazardGrid.Common;

namespace HazardGrid.Accounts;

/// <summary>The user names of every account (key 0), for operators' lists.</summary>
public sealed class AccountDirectoryGrain(
    [PersistentState("accounts", StorageNames.Store)] IPersistentState<AccountDirectoryState> state) : Grain, IAccountDirectoryGrain
{
    public async Task Add(string userName)
    {
        if (!state.State.UserNames.Contains(userName))
        {
            state.State = new AccountDirectoryState(state.State.UserNames.Add(userName));
            await state.WriteStateAsync();
        }
    }

    public Task<ImmutableArray<string>> List() => Task.FromResult(state.State.UserNames.ToImmutableArray());
}

[GenerateSerializer, Immutable, Alias("hg.AccountDirectoryState")]
public sealed record AccountDirectoryState(ImmutableSortedSet<string> UserNames)
{
    public AccountDirectoryState() : this(ImmutableSortedSet.Create<string>(StringComparer.Ordinal)) { }
}
