using System.Collections.Immutable;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Queries;
using HazardGrid.Rollups;
using Domain = HazardGrid;

namespace HazardGrid.Gateway.Services;

/// <summary>Translations of the list methods' filters and items (see ApiMapper for the rest).</summary>
public static class ListMapper
{
    public static Queries.HazardFilter ToDomain(Api.V1.HazardFilter? f)
    {
        if (f is null)
        {
            return Queries.HazardFilter.All;
        }

        var (foundFrom, foundBefore) = Range(f.FoundTime, "filter.found_time");
        var (deadlineFrom, deadlineBefore) = Range(f.Deadline, "filter.deadline");
        return new(
            Each<Api.V1.HazardState, Domain.Hazards.HazardStatus>(f.States, "filter.states", "hazard state"),
            Each<Api.V1.Sector, Domain.Enterprises.Sector>(f.Sectors, "filter.sectors", "sector"),
            Each<Api.V1.ReportChannel, Domain.Hazards.ReportChannel>(f.Channels, "filter.channels", "report channel"),
            Each<Api.V1.SupervisionLevel, Escalations.SupervisionLevel>(f.SupervisionLevels, "filter.supervision_levels", "supervision level"),
            f.HasOverdue ? f.Overdue : null,
            f.HasStock ? f.Stock : null,
            foundFrom, foundBefore, deadlineFrom, deadlineBefore,
            f.MinEscalationStep == Api.V1.EscalationStep.Unspecified
                ? null
                : ApiMapper.Required<Api.V1.EscalationStep, Escalations.EscalationStep>(f.MinEscalationStep, "filter.min_escalation_step", "escalation step"));
    }

    public static HazardOrder ToDomain(HazardOrderBy order) => order switch
    {
        HazardOrderBy.Unspecified or HazardOrderBy.Name => HazardOrder.Name,
        HazardOrderBy.Deadline => HazardOrder.Deadline,
        HazardOrderBy.FoundTime => HazardOrder.FoundTime,
        _ => throw DomainException.Invalid("order_by", $"{(int)order} is not a known order"),
    };

    public static Queries.EnterpriseFilter ToDomain(ListEnterprisesRequest r) => new(
        r.HasOnWatchList ? r.OnWatchList : null,
        Each<Api.V1.Sector, Domain.Enterprises.Sector>(r.Sectors, "sectors", "sector"),
        r.HasHasOpenHazards ? r.HasOpenHazards : null);

    private static ImmutableArray<TDomain> Each<TProto, TDomain>(RepeatedField<TProto> values, string field, string what)
        where TProto : struct, System.Enum
        where TDomain : struct, System.Enum =>
        [.. values.Select((v, i) => ApiMapper.Required<TProto, TDomain>(v, $"{field}[{i}]", what)).Distinct()];

    private static (DateTimeOffset? From, DateTimeOffset? Before) Range(TimeRange? range, string field)
    {
        if (range is null)
        {
            return (null, null);
        }

        DateTimeOffset? from = range.StartTime is null ? null : ApiMapper.ToDomain(range.StartTime, $"{field}.start_time");
        DateTimeOffset? before = range.EndTime is null ? null : ApiMapper.ToDomain(range.EndTime, $"{field}.end_time");
        return from > before
            ? throw DomainException.Invalid($"{field}.end_time", "is before start_time")
            : (from, before);
    }

    /// <summary>A hazard as the list index holds it; the fields it does not hold stay empty (see the proto).</summary>
    public static Hazard ToApi(HazardFacts h)
    {
        var result = new Hazard
        {
            Name = ResourceNames.Hazard(h.HazardId),
            Version = h.Version,
            EnterpriseDisplayName = h.EnterpriseName ?? string.Empty,
            Town = h.TownCode,
            Sector = ApiMapper.ToApi(h.Sector),
            Criterion = h.Criterion ?? string.Empty,
            Location = h.Location ?? string.Empty,
            FoundTime = Timestamp.FromDateTimeOffset(h.FoundAt),
            RegisterTime = h.RegisteredAt == default ? null : Timestamp.FromDateTimeOffset(h.RegisteredAt),
            State = ApiMapper.ToApi(h.Status),
            Deadline = h.Deadline is { } d ? Timestamp.FromDateTimeOffset(d) : null,
            CloseTime = h.ClosedAt is { } c ? Timestamp.FromDateTimeOffset(c) : null,
            UpdateTime = h.UpdatedAt == default ? null : Timestamp.FromDateTimeOffset(h.UpdatedAt),
            Stock = h.IsStock,
            SupervisionLevel = ApiMapper.ToApi(h.Level),
        };
        if (!h.Channels.IsDefaultOrEmpty)
        {
            result.Channels.AddRange(h.Channels.Select(ApiMapper.ToApi));
        }

        if (!h.Escalations.IsDefaultOrEmpty)
        {
            result.Escalations.AddRange(h.Escalations.Select(e => new Api.V1.Escalation
            {
                Step = ApiMapper.ToApi(e.Step),
                DueTime = Timestamp.FromDateTimeOffset(e.DueAt),
                FireTime = Timestamp.FromDateTimeOffset(e.FiredAt),
                Trigger = ApiMapper.ToApiTrigger(e.Trigger),
            }));
        }

        return result;
    }

    public static Api.V1.EnterpriseSummary ToApi(Queries.EnterpriseSummary e)
    {
        var result = new Api.V1.EnterpriseSummary
        {
            Name = ResourceNames.Enterprise(e.CreditCode),
            CreditCode = e.CreditCode,
            DisplayName = e.Name,
            Town = e.TownCode,
            OpenHazards = e.OpenHazards,
            OnWatchList = e.OnWatchList,
        };
        result.Sectors.AddRange(e.Sectors.Select(ApiMapper.ToApi));
        return result;
    }
}
