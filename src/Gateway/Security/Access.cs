using Grpc.Core;
using HazardGrid.Common;
using HazardGrid.Regions;

namespace HazardGrid.Gateway.Security;

/// <summary>
/// The checks every RPC makes, in the services' terms. Reads check the town of what they read (or
/// the region they name); writes check the role here and carry the caller's scope into the
/// enterprise grain, which refuses a target outside it before anything changes (see
/// <see cref="WriteScope"/>). A new RPC that takes <c>parent: regions/{code}</c> calls
/// <see cref="ReadRegion"/>; one that reads something of an enterprise calls <see cref="ReadInScope"/>
/// with the enterprise's town.
/// </summary>
public static class Access
{
    /// <summary>The authenticated caller. Every API service requires a credential, so a call without
    /// one never gets here; the refusal is for a service mapped without that requirement.</summary>
    public static Caller Caller(this ServerCallContext context) =>
        Security.Caller.From(context.GetHttpContext().User, context.GetHttpContext().RequestServices.GetService<Sectors.SectorOffices>())
        ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "no credential: send 'authorization: Bearer <token>'"));

    /// <summary>A caller that may read hazard data: a system or a supervisor, not an operator.</summary>
    public static Caller Reader(this ServerCallContext context)
    {
        var caller = context.Caller();
        return caller.Role is CallerRole.Operator
            ? throw DomainException.Denied("credential.role", "an operator credential opens the dashboard and operations endpoints; it reads no hazard data")
            : caller;
    }

    /// <summary>A caller that may read rewarded tips: a reader without a sector office. A tip is
    /// handled by its county's office (the safety committee's), names no sector and may concern any
    /// enterprise, so a sector office's credential (which sees its sectors only) reads none.</summary>
    public static Caller TipReader(this ServerCallContext context)
    {
        var caller = context.Reader();
        return caller.Sectors is not null
            ? throw DomainException.Denied("credential.office", $"a sector office's credential ({caller.Office}) reads no rewarded tips: tips are handled by the county's office and may concern any sector")
            : caller;
    }

    /// <summary>A write by a system (every write but the supervisor decisions).</summary>
    public static WriteRequest SystemWrite(this ServerCallContext context, string? requestId, string field = "credential.role")
    {
        var caller = context.Caller();
        return caller.Role is CallerRole.System
            ? Write(caller, requestId)
            : throw DomainException.Denied(field, $"a {Security.Caller.Describe(caller.Role)} credential cannot make this write; only a system's can");
    }

    /// <summary>A supervisor decision (extend a deadline, raise the supervision level); the grain
    /// checks the hazard's town and level against the scope.</summary>
    public static WriteRequest SupervisorDecision(this ServerCallContext context, string? requestId, string field = "credential.role")
    {
        var caller = context.Caller();
        if (caller.Role is not CallerRole.Supervisor)
        {
            throw DomainException.Denied(field, $"only a supervisor decides on deadlines and supervision levels, not a {Security.Caller.Describe(caller.Role)}");
        }

        return caller.DecisionLevel is null
            ? throw DomainException.Denied(field, $"a supervisor of town {caller.Region} takes no supervision decisions (county, city and province supervisors do)")
            : Write(caller, requestId);
    }

    // The trail records the credential's subject; the x-system-id header of older clients is ignored.
    private static WriteRequest Write(Caller caller, string? requestId) =>
        WriteRequest.Create(requestId, caller.Subject, "credential.sub") with { Scope = caller.Scope };

    /// <summary><c>regions/{code}</c> read by the caller: the region if in its scope, PERMISSION_DENIED
    /// if not (an unknown code outside the scope included), NOT_FOUND only for an unknown code inside it.</summary>
    public static Region ReadRegion(this ServerCallContext context, string? name, RegionCatalog regions, string field = "name")
    {
        var caller = context.Reader();
        Region region;
        try
        {
            region = Services.ResourceNames.ParseRegion(name, regions, field);
        }
        catch (DomainException missing) when (missing.Kind == DomainErrorKind.NotFound && !caller.CoversProvince && !caller.Covers(name!["regions/".Length..]))
        {
            throw OutOfScope(caller, field, $"region {name}");
        }

        return caller.CanRead(region.Code) ? region : throw OutOfScope(caller, field, $"region {name}");
    }

    /// <summary>
    /// Reads something that lives in a town (an enterprise, a hazard) and shows it only to a caller
    /// whose scope holds the town. A target that does not exist is NOT_FOUND only to a province-wide
    /// caller; anyone else is refused as out of scope, as for a target elsewhere.
    /// </summary>
    public static async Task<T> ReadInScope<T>(
        this ServerCallContext context, Func<Task<T>> read, Func<T, string> townOf, string field, string what, Func<Task<string?>>? townIfMissing = null)
    {
        var caller = context.Reader();
        T value;
        try
        {
            value = await read();
        }
        catch (DomainException missing) when (missing.Kind == DomainErrorKind.NotFound)
        {
            // NOT_FOUND names the request's field, whatever the grain called it. It is told only to
            // a caller whose scope holds where the target would be (the province, or, for a
            // hazard, the town of its registered enterprise): to anyone else it would tell
            // whether something exists outside their scope.
            var where = caller.CoversProvince || townIfMissing is null ? null : await townIfMissing();
            throw caller.CoversProvince || (where is not null && caller.CanRead(where))
                ? new DomainException(DomainErrorKind.NotFound, field, missing.Reason)
                : OutOfScope(caller, field, what);
        }

        return caller.CanRead(townOf(value)) ? value : throw OutOfScope(caller, field, what);
    }

    /// <summary>An enterprise, shown only to a caller whose scope holds its town: the one read that
    /// every call naming an enterprise (its profile, notifications, hazard list) goes through.
    /// A sector office reads only an enterprise with one of its sectors, and sees its figures counted
    /// over its sectors' hazards.</summary>
    public static async Task<Enterprises.Enterprise> ReadEnterprise(this ServerCallContext context, IGrainFactory grains, string code, string field)
    {
        var caller = context.Reader();
        var enterprise = grains.Reference<Enterprises.IEnterpriseGrain>(code);
        var read = await context.ReadInScope(() => caller.Sectors is { } sectors ? enterprise.GetInSectors(sectors) : enterprise.Get(), e => e.Profile.TownCode, field, $"enterprise {code}");
        caller.RequireAnySector(read.Profile.Sectors, field, $"enterprise {code}");
        return read;
    }

    private static DomainException OutOfScope(Caller caller, string field, string what) => caller.Scope.OutOfScope(field, what);
}
