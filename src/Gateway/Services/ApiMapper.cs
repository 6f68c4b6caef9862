using System.Collections.Immutable;
using Google.Protobuf.WellKnownTypes;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Rollups;
using Domain = HazardGrid;

namespace HazardGrid.Gateway.Services;

/// <summary>Small static translations between the wire messages and the domain records.
/// Protobuf types stop here: they never reach a grain.</summary>
public static class ApiMapper
{
    public static Domain.Enterprises.EnterpriseProfile ToDomain(Api.V1.Enterprise e) => new(
        e.CreditCode,
        e.DisplayName,
        e.Town,
        [.. e.Sectors.Select(s => (Domain.Enterprises.Sector)(int)s)],
        ToDomain(e.Principal),
        ToDomain(e.ActualController),
        e.SafetyDirector is null ? null : ToDomain(e.SafetyDirector));

    private static Domain.Enterprises.Person ToDomain(Api.V1.Person? p) => p is null ? null! : new(p.Name, p.Phone);

    public static Api.V1.Enterprise ToApi(Domain.Enterprises.Enterprise e)
    {
        var p = e.Profile;
        var result = new Api.V1.Enterprise
        {
            Name = ResourceNames.Enterprise(p.CreditCode),
            CreditCode = p.CreditCode,
            DisplayName = p.Name,
            Town = p.TownCode,
            Principal = ToApi(p.Principal),
            ActualController = ToApi(p.ActualController),
            SafetyDirector = p.SafetyDirector is null ? null : ToApi(p.SafetyDirector),
            Figures = ToApi(e.Figures),
            RegisterTime = Timestamp.FromDateTimeOffset(e.RegisteredAt),
            UpdateTime = Timestamp.FromDateTimeOffset(e.UpdatedAt),
        };
        result.Sectors.AddRange(p.Sectors.Select(s => (Api.V1.Sector)(int)s));
        result.FatalAccidents.AddRange(e.FatalAccidents.Select(ToApi));
        return result;
    }

    private static Api.V1.Person ToApi(Domain.Enterprises.Person p) => new() { Name = p.Name, Phone = p.Phone ?? string.Empty };

    public static Domain.Hazards.HazardReport ToDomain(string creditCode, NewHazard? h)
    {
        if (h is null)
        {
            throw DomainException.Invalid("hazard", "is required");
        }

        return new(creditCode, (Domain.Hazards.ReportChannel)(int)h.Channel, (Domain.Enterprises.Sector)(int)h.Sector,
            h.Criterion, h.Location, h.Description, ToDomain(h.FoundTime),
            h.FoundByLevel == Api.V1.SupervisionLevel.Unspecified ? null : (Escalations.SupervisionLevel)(int)h.FoundByLevel);
    }

    public static Domain.Hazards.PartyConfirmation ToDomain(Api.V1.PartyConfirmation? c, string field) => c is null
        ? throw DomainException.Invalid(field, "is required")
        : new((Domain.Hazards.ConfirmingParty)(int)c.Party, c.Name, ToDomain(c.ConfirmTime));

    public static ImmutableArray<Domain.Hazards.PartyConfirmation> ToDomain(IEnumerable<Api.V1.PartyConfirmation> cs) =>
        [.. cs.Select((c, i) => ToDomain(c, $"confirmations[{i}]"))];

    /// <summary>A missing timestamp becomes <c>default</c>, which the domain reports as required.</summary>
    public static DateTimeOffset ToDomain(Timestamp? t) => t is null ? default : t.ToDateTimeOffset();

    public static Hazard ToApi(Domain.Hazards.HazardWithTrail found)
    {
        var result = ToApi(found.Hazard, found.Trail);
        result.Ladder = new Api.V1.LadderState
        {
            NextStep = found.Ladder.NextStep is { } step ? (Api.V1.EscalationStep)(int)step : Api.V1.EscalationStep.Unspecified,
            NextDueTime = found.Ladder.NextDueAt is { } due ? Timestamp.FromDateTimeOffset(due) : null,
        };
        return result;
    }

    public static Hazard ToApi(Domain.Hazards.MajorHazard h, IEnumerable<Domain.Hazards.TrailEntry>? trail = null)
    {
        var result = new Hazard
        {
            Name = ResourceNames.Hazard(h.Id),
            Version = h.Version,
            EnterpriseDisplayName = h.EnterpriseName,
            Town = h.TownCode,
            Sector = (Api.V1.Sector)(int)h.Sector,
            Criterion = h.Criterion,
            Location = h.Location,
            Description = h.Description,
            FoundTime = Timestamp.FromDateTimeOffset(h.FoundAt),
            RegisterTime = Timestamp.FromDateTimeOffset(h.RegisteredAt),
            State = (HazardState)(int)h.Status,
            Deadline = h.Deadline is { } d ? Timestamp.FromDateTimeOffset(d) : null,
            Plan = h.Plan ?? string.Empty,
            ProgressPercent = h.ProgressPercent,
            CloseTime = h.ClosedAt is { } c ? Timestamp.FromDateTimeOffset(c) : null,
            WithdrawalReason = h.WithdrawalReason ?? string.Empty,
            UpdateTime = Timestamp.FromDateTimeOffset(h.UpdatedAt),
            Stock = ChinaTime.IsStock(h.FoundAt),
            SupervisionLevel = (Api.V1.SupervisionLevel)(int)h.SupervisionLevel,
        };
        result.Escalations.AddRange(h.Escalations.Select(e => new Api.V1.Escalation
        {
            Step = (Api.V1.EscalationStep)(int)e.Step,
            DueTime = Timestamp.FromDateTimeOffset(e.DueAt),
            FireTime = Timestamp.FromDateTimeOffset(e.FiredAt),
            Trigger = e.Trigger,
        }));
        result.Channels.AddRange(h.Channels.Select(c => (Api.V1.ReportChannel)(int)c));
        result.Confirmations.AddRange(h.Confirmations.Select(c => new Api.V1.PartyConfirmation
        {
            Party = (Api.V1.ConfirmingParty)(int)c.Party,
            Name = c.Name,
            ConfirmTime = Timestamp.FromDateTimeOffset(c.ConfirmedAt),
        }));
        if (trail is not null)
        {
            result.Trail.AddRange(trail.Select(t => new Api.V1.TrailEntry
            {
                Version = t.Version,
                Time = Timestamp.FromDateTimeOffset(t.At),
                Actor = t.Actor,
                RequestId = t.RequestId,
                Action = t.Action.ToString(),
                Detail = t.Detail,
            }));
        }

        return result;
    }

    public static Api.V1.HazardFigures ToApi(Rollups.HazardFigures f)
    {
        var result = new Api.V1.HazardFigures
        {
            Open = f.Open,
            Registered = f.Registered,
            Rectifying = f.Rectifying,
            AwaitingVerification = f.AwaitingVerification,
            Overdue = f.Overdue,
            Closed = f.Closed,
            ClosedThisMonth = f.ClosedThisMonth,
            Withdrawn = f.Withdrawn,
            Invalid = f.Invalid,
            OpenStock = f.OpenStock,
            OpenIncrement = f.OpenIncrement,
            ClosedStock = f.ClosedStock,
            ClosedIncrement = f.ClosedIncrement,
            AtCountyLevel = f.Escalations.AtCountyLevel,
            AtCityLevel = f.Escalations.AtCityLevel,
            AtProvinceLevel = f.Escalations.AtProvinceLevel,
            WarningLettersThisMonth = f.Escalations.WarningLettersThisMonth,
            CircularsThisMonth = f.Escalations.CircularsThisMonth,
            SummonsThisMonth = f.Escalations.SummonsThisMonth,
            ExposuresThisMonth = f.Escalations.ExposuresThisMonth,
            InvestigationsThisMonth = f.Escalations.InvestigationsThisMonth,
            Exposed = f.Escalations.Exposed,
            UnderInvestigation = f.Escalations.UnderInvestigation,
            WatchListEnterprises = f.Escalations.WatchListEnterprises,
            FatalAccidentsThisYear = f.FatalAccidentsThisYear,
            DeathsThisYear = f.DeathsThisYear,
        };
        result.BySector.AddRange(f.BySector.Select(s => new Api.V1.SectorFigures
        {
            Sector = (Api.V1.Sector)(int)s.Sector,
            Open = s.Open,
            Overdue = s.Overdue,
            Closed = s.Closed,
        }));
        return result;
    }

    public static Api.V1.FatalAccident ToApi(Accidents.FatalAccident a) => new()
    {
        Id = a.Id,
        OccurredTime = Timestamp.FromDateTimeOffset(a.OccurredAt),
        Deaths = a.Deaths,
        Description = a.Description,
        ReportTime = Timestamp.FromDateTimeOffset(a.ReportedAt),
        Town = a.TownCode,
    };

    public static Api.V1.DirectReport ToApi(Escalations.DirectReport r) => new()
    {
        Id = r.Kind == Escalations.DirectReportKind.NewMajorHazard ? ResourceNames.Hazard(r.Id) : r.Id,
        Kind = r.Kind == Escalations.DirectReportKind.FatalAccident ? "FATAL_ACCIDENT" : "NEW_MAJOR_HAZARD",
        Enterprise = ResourceNames.Enterprise(r.CreditCode),
        EnterpriseDisplayName = r.EnterpriseName,
        Town = r.TownCode,
        OccurredTime = Timestamp.FromDateTimeOffset(r.OccurredAt),
        ReceiveTime = Timestamp.FromDateTimeOffset(r.ReceivedAt),
        Deaths = r.Deaths,
        Summary = r.Summary,
    };

    public static Api.V1.RegionStatus ToApi(Rollups.RegionStatus s)
    {
        var result = ToApiStatus(s);
        result.DirectReports.AddRange(s.DirectReports.Select(ToApi));
        return result;
    }

    private static Api.V1.RegionStatus ToApiStatus(Rollups.RegionStatus s) => new()
    {
        Name = ResourceNames.Region(s.Region.Code),
        DisplayName = s.Region.Name,
        Level = s.Region.Level.ToString().ToUpperInvariant(),
        Parent = s.Region.ParentCode is null ? string.Empty : ResourceNames.Region(s.Region.ParentCode),
        Figures = ToApi(s.Figures),
        AsOf = Timestamp.FromDateTimeOffset(s.AsOf),
        LeadershipSummons = s.LeadershipSummons,
        OverdueShare = s.Figures.OverdueShare,
    };

    public static Api.V1.WatchListEntry ToApi(Rollups.WatchListEntry e) => new()
    {
        Enterprise = ResourceNames.Enterprise(e.CreditCode),
        Town = e.TownCode,
        Exposed = e.Exposed,
        OverdueHazards = e.OverdueHazards,
        FatalAccidentsThisYear = e.FatalAccidentsThisYear,
    };

    public static Api.V1.EscalationEvent ToApi(Rollups.RegionEscalationEvent e) => new()
    {
        Hazard = ResourceNames.Hazard(e.HazardId),
        Town = e.TownCode,
        Step = (Api.V1.EscalationStep)(int)e.Step,
        DueTime = Timestamp.FromDateTimeOffset(e.DueAt),
        FireTime = Timestamp.FromDateTimeOffset(e.FiredAt),
        Trigger = e.Trigger,
    };

    public static Api.V1.Notification ToApi(Domain.Notifications.Notification n) => new()
    {
        Id = n.Id,
        CreateTime = Timestamp.FromDateTimeOffset(n.At),
        Hazard = ResourceNames.Hazard(n.HazardId),
        Kind = n.Kind.ToString(),
        RecipientRole = n.Role switch
        {
            Domain.Notifications.RecipientRole.Principal => "PRINCIPAL",
            Domain.Notifications.RecipientRole.ActualController => "ACTUAL_CONTROLLER",
            Domain.Notifications.RecipientRole.SupervisingOffice => "SUPERVISING_OFFICE",
            _ => "SAFETY_DIRECTOR",
        },
        RecipientName = n.RecipientName,
        RecipientPhone = n.Phone ?? string.Empty,
        Message = n.Message,
    };
}
