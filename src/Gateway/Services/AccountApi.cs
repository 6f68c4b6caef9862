using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Accounts;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Gateway.Security;
using HazardGrid.Regions;

namespace HazardGrid.Gateway.Services;

/// <summary>Translates AccountService calls to account grains, for operators, within their region.</summary>
public sealed class AccountApi(IGrainFactory grains, RegionCatalog regions, Sectors.SectorOffices offices) : AccountService.AccountServiceBase
{
    public override async Task<PersonAccount> CreateAccount(CreateAccountRequest request, ServerCallContext context)
    {
        var manager = Manager(context);
        var userName = AccountNames.Require(request.UserName);
        var role = request.Role switch
        {
            Api.V1.AccountRole.Supervisor => Accounts.AccountRole.Supervisor,
            Api.V1.AccountRole.Operator => Accounts.AccountRole.Operator,
            _ => throw DomainException.Invalid("role", "ACCOUNT_ROLE_SUPERVISOR or ACCOUNT_ROLE_OPERATOR"),
        };
        if (!regions.TryGet(request.Region ?? "", out _))
        {
            throw DomainException.Invalid("region", "a division code of the tree (37, 3704, 370406, 370406001, …)");
        }

        if (!manager.Covers(request.Region!))
        {
            throw manager.Scope.OutOfScope("region", $"region {request.Region}");
        }

        var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? userName : request.DisplayName.Trim();
        if (displayName.Length > TextLimits.Actor.MaxLength)
        {
            throw DomainException.Invalid("display_name", $"at most {TextLimits.Actor.MaxLength} characters");
        }

        // A sector office's person: the office must be configured, and only a supervisor has one.
        var office = string.IsNullOrEmpty(request.Office) ? null : request.Office;
        if (office is not null && SectorAccess.OfficeProblem(office, role == Accounts.AccountRole.Supervisor ? CallerRole.Supervisor : CallerRole.Operator, offices) is { } problem)
        {
            throw DomainException.Invalid("office", problem.Replace("the credential's 'office' claim", "an office", StringComparison.Ordinal));
        }

        AccountNames.RequirePassword(request.Password);
        return ToApi(await grains.Reference<IAccountGrain>(userName).Create(new AccountProfile(userName, displayName, role, request.Region!, office), request.Password));
    }

    public override async Task<ListAccountsResponse> ListAccounts(ListAccountsRequest request, ServerCallContext context)
    {
        var manager = Manager(context);
        var names = await grains.GetGrain<IAccountDirectoryGrain>(0).List();
        var accounts = await Task.WhenAll(names.Select(n => grains.Reference<IAccountGrain>(n).Find()));
        return new ListAccountsResponse { Accounts = { accounts.Where(a => a is not null && manager.Covers(a.Profile.Region)).Select(a => ToApi(a!)) } };
    }

    public override async Task<PersonAccount> DisableAccount(AccountRequest request, ServerCallContext context) =>
        ToApi(await (await InScope(request.UserName, context)).SetEnabled(false));

    public override async Task<PersonAccount> EnableAccount(AccountRequest request, ServerCallContext context) =>
        ToApi(await (await InScope(request.UserName, context)).SetEnabled(true));

    public override async Task<PersonAccount> ResetAccountPassword(ResetAccountPasswordRequest request, ServerCallContext context)
    {
        var account = await InScope(request.UserName, context);
        AccountNames.RequirePassword(request.Password);
        return ToApi(await account.ResetPassword(request.Password));
    }

    private static Caller Manager(ServerCallContext context)
    {
        var caller = context.Caller();
        return caller.Role is CallerRole.Operator
            ? caller
            : throw DomainException.Denied("credential.role", $"only an operator manages accounts, not a {Caller.Describe(caller.Role)}");
    }

    /// <summary>The account if it is in the operator's region. One that does not exist is NOT_FOUND only
    /// to the province's operator; anyone else hears the out-of-scope refusal, as for an account elsewhere.</summary>
    private async Task<IAccountGrain> InScope(string userName, ServerCallContext context)
    {
        var manager = Manager(context);
        var grain = grains.Reference<IAccountGrain>(AccountNames.Require(userName));
        var account = await grain.Find();
        if (account is not null && manager.Covers(account.Profile.Region))
        {
            return grain;
        }

        throw account is null && manager.CoversProvince
            ? DomainException.NotFound("user_name", $"no account named {AccountNames.Key(userName)}")
            : manager.Scope.OutOfScope("user_name", $"account {AccountNames.Key(userName)}");
    }

    private static PersonAccount ToApi(Account account) => new()
    {
        UserName = account.Profile.UserName,
        DisplayName = account.Profile.DisplayName,
        Role = account.Profile.Role == Accounts.AccountRole.Operator ? Api.V1.AccountRole.Operator : Api.V1.AccountRole.Supervisor,
        Region = account.Profile.Region,
        Enabled = account.Enabled,
        FailedAttempts = account.FailedAttempts,
        LockedUntil = account.LockedUntil is { } until ? Timestamp.FromDateTimeOffset(until) : null,
        CreateTime = Timestamp.FromDateTimeOffset(account.CreatedAt),
        Office = account.Profile.Office ?? string.Empty,
    };
}
