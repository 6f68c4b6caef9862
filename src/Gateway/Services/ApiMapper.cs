using System.Collections.Immutable;
using System.Globalization;
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
        [.. e.Sectors.Select((s, i) => ToDomain(s, $"enterprise.sectors[{i}]"))],
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
        result.Sectors.AddRange(p.Sectors.Select(ToApi));
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

        return new(creditCode,
            Required<Api.V1.ReportChannel, Domain.Hazards.ReportChannel>(h.Channel, "hazard.channel", "report channel"),
            ToDomain(h.Sector, "hazard.sector"),
            h.Criterion, h.Location, h.Description, ToDomain(h.FoundTime, "hazard.found_time"),
            h.FoundByLevel == Api.V1.SupervisionLevel.Unspecified
                ? null
                : Required<Api.V1.SupervisionLevel, Escalations.SupervisionLevel>(h.FoundByLevel, "hazard.found_by_level", "supervision level"));
    }

    public static Domain.Hazards.PartyConfirmation ToDomain(Api.V1.PartyConfirmation? c, string field) => c is null
        ? throw DomainException.Invalid(field, "is required")
        : new(Required<Api.V1.ConfirmingParty, Domain.Hazards.ConfirmingParty>(c.Party, $"{field}.party", "confirming party"),
            c.Name, ToDomain(c.ConfirmTime, $"{field}.confirm_time"));

    public static ImmutableArray<Domain.Hazards.PartyConfirmation> ToDomain(IEnumerable<Api.V1.PartyConfirmation> cs) =>
        [.. cs.Select((c, i) => ToDomain(c, $"confirmations[{i}]"))];

    public static Domain.Enterprises.Sector ToDomain(Api.V1.Sector sector, string field) =>
        Required<Api.V1.Sector, Domain.Enterprises.Sector>(sector, field, "sector");

    /// <summary>
    /// A request's enum: zero (X_UNSPECIFIED) is missing, a number the proto does not define is
    /// unknown; otherwise the domain member of the same number (EnumAgreementTests keeps the two
    /// enums in step, name by name and number by number).
    /// </summary>
    internal static TDomain Required<TProto, TDomain>(TProto value, string field, string what)
        where TProto : struct, System.Enum
        where TDomain : struct, System.Enum
    {
        var number = Convert.ToInt32(value, CultureInfo.InvariantCulture);
        if (number == 0)
        {
            throw DomainException.Invalid(field, $"is required: a {what}");
        }

        var domain = (TDomain)System.Enum.ToObject(typeof(TDomain), number);
        return System.Enum.IsDefined(value) && System.Enum.IsDefined(domain)
            ? domain
            : throw DomainException.Invalid(field, $"{number} is not a known {what}");
    }

    /// <summary>The range a google.protobuf.Timestamp may hold: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.</summary>
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;

    /// <summary>
    /// A request's timestamp, checked: one outside the range a Timestamp may hold is refused naming
    /// <paramref name="field"/> (it is the client's error, not a transient failure). A missing
    /// timestamp becomes <c>default</c>, which the domain reports as required.
    /// </summary>
    public static DateTimeOffset ToDomain(Timestamp? t, string field)
    {
        if (t is null)
        {
            return default;
        }

        if (t.Nanos is < 0 or > 999_999_999)
        {
            throw DomainException.Invalid(field, $"has nanos {t.Nanos}; a google.protobuf.Timestamp's nanos run from 0 to 999999999");
        }

        if (t.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds)
        {
            throw DomainException.Invalid(field,
                $"has seconds {t.Seconds}, outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, the range a google.protobuf.Timestamp may hold");
        }

        return t.ToDateTimeOffset();
    }

    public static Hazard ToApi(Domain.Hazards.HazardWithTrail found)
    {
        var result = ToApi(found.Hazard, found.Trail);
        result.Ladder = new Api.V1.LadderState
        {
            NextStep = found.Ladder.NextStep is { } step ? ToApi(step) : Api.V1.EscalationStep.Unspecified,
            NextDueTime = found.Ladder.NextDueAt is { } due ? Timestamp.FromDateTimeOffset(due) : null,
            NextDueProvisional = found.Ladder.NextDueProvisional,
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
            Sector = ToApi(h.Sector),
            Criterion = h.Criterion,
            Location = h.Location,
            Description = h.Description,
            FoundTime = Timestamp.FromDateTimeOffset(h.FoundAt),
            RegisterTime = Timestamp.FromDateTimeOffset(h.RegisteredAt),
            State = ToApi(h.Status),
            Deadline = h.Deadline is { } d ? Timestamp.FromDateTimeOffset(d) : null,
            Plan = h.Plan ?? string.Empty,
            ProgressPercent = h.ProgressPercent,
            CloseTime = h.ClosedAt is { } c ? Timestamp.FromDateTimeOffset(c) : null,
            WithdrawalReason = h.WithdrawalReason ?? string.Empty,
            UpdateTime = Timestamp.FromDateTimeOffset(h.UpdatedAt),
            Stock = ChinaTime.IsStock(h.FoundAt),
            SupervisionLevel = ToApi(h.SupervisionLevel),
            LadderVersion = h.LadderVersion,
            OriginalDeadline = h.OriginalDeadline is { } o ? Timestamp.FromDateTimeOffset(o) : null,
            TotalExtensionDays = h.TotalExtension.TotalDays,
            PendingExtension = h.PendingExtension is { } p
                ? new Api.V1.ExtensionRequest { Deadline = Timestamp.FromDateTimeOffset(p.NewDeadline), Reason = p.Reason, RequestedBy = p.RequestedBy, RequestTime = Timestamp.FromDateTimeOffset(p.RequestedAt) }
                : null,
            Tip = h.TipId is { } tip ? "tips/" + tip : string.Empty,
        };
        result.Escalations.AddRange(h.Escalations.Select(e => new Api.V1.Escalation
        {
            Step = ToApi(e.Step),
            DueTime = Timestamp.FromDateTimeOffset(e.DueAt),
            FireTime = Timestamp.FromDateTimeOffset(e.FiredAt),
            Trigger = ToApiTrigger(e.Trigger),
        }));
        result.Channels.AddRange(h.Channels.Select(ToApi));
        result.Confirmations.AddRange(h.Confirmations.Select(c => new Api.V1.PartyConfirmation
        {
            Party = ToApi(c.Party),
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
                Action = ToApi(t.Action),
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
            DeadlineWarningsThisMonth = f.Escalations.DeadlineWarningsThisMonth,
            FatalAccidentsThisYear = f.FatalAccidentsThisYear,
            DeathsThisYear = f.DeathsThisYear,
            TipsReceived = f.TipsReceived,
            TipsVerified = f.TipsVerified,
            TipRewardsPaidFen = f.TipRewardsPaidFen,
            TipVerificationsOverdue = f.TipVerificationsOverdue,
        };
        result.BySector.AddRange(f.BySector.Select(s => new Api.V1.SectorFigures
        {
            Sector = ToApi(s.Sector),
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
        Kind = ToApi(r.Kind),
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
        Level = ToApi(s.Region.Level),
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
        Step = ToApi(e.Step),
        DueTime = Timestamp.FromDateTimeOffset(e.DueAt),
        FireTime = Timestamp.FromDateTimeOffset(e.FiredAt),
        Trigger = ToApiTrigger(e.Trigger),
    };

    public static Api.V1.Notification ToApi(Domain.Notifications.Notification n) => new()
    {
        Id = n.Id,
        CreateTime = Timestamp.FromDateTimeOffset(n.At),
        Hazard = ResourceNames.Hazard(n.HazardId),
        Kind = ToApi(n.Kind),
        RecipientRole = ToApi(n.Role),
        RecipientName = n.RecipientName,
        RecipientPhone = n.Phone ?? string.Empty,
        Message = n.Message,
        Delivery = n.Delivery is { } d ? ToApi(d) : null,
    };

    // ---- Proof of notification ----

    public static NoticeDelivery ToApi(Domain.Notifications.NoticeDelivery d) => new()
    {
        State = ToApi(d.State),
        Attempts = d.Attempts,
        LastAttemptTime = d.LastAttemptAt is { } tried ? Timestamp.FromDateTimeOffset(tried) : null,
        LastError = d.LastError ?? string.Empty,
        AcceptTime = d.AcceptedAt is { } accepted ? Timestamp.FromDateTimeOffset(accepted) : null,
        DeliveryTime = d.DeliveredAt is { } delivered ? Timestamp.FromDateTimeOffset(delivered) : null,
        ReceiptId = d.ReceiptId ?? string.Empty,
    };

    public static DeliveryState ToApi(Domain.Notifications.DeliveryState s) => (DeliveryState)(int)s;

    public static ReceiptOutcome ToApi(Domain.Notifications.ReceiptOutcome o) => (ReceiptOutcome)(int)o;

    /// <summary>A receipt as the hazard records it; refuses, naming the field, what cannot be one.</summary>
    public static Domain.Notifications.NoticeReceipt ToDomain(RecordNoticeReceiptRequest r, string hazardId)
    {
        var noticeId = TextLimits.Required(r.NoticeId, "notice_id", NoticeIdLimit);
        if (!noticeId.StartsWith(hazardId + "/", StringComparison.Ordinal))
        {
            throw DomainException.Invalid("notice_id", $"is not a notice of hazard {hazardId} (its ids start with '{hazardId}/')");
        }

        var outcome = r.Outcome switch
        {
            ReceiptOutcome.Delivered => Domain.Notifications.ReceiptOutcome.Delivered,
            ReceiptOutcome.Failed => Domain.Notifications.ReceiptOutcome.Failed,
            _ => throw DomainException.Invalid("outcome", "is required: RECEIPT_OUTCOME_DELIVERED or RECEIPT_OUTCOME_FAILED"),
        };
        if (r.EventTime is null)
        {
            throw DomainException.Invalid("event_time", "is required: when the gateway says it happened");
        }

        return new(noticeId, outcome, ToDomain(r.EventTime, "event_time"), TextLimits.Required(r.ReceiptId, "receipt_id", ReceiptIdLimit),
            TextLimits.Optional(r.Detail, "detail", ReceiptDetailLimit));
    }

    private static readonly TextLimit NoticeIdLimit = 200;
    private static readonly TextLimit ReceiptIdLimit = 128;
    private static readonly TextLimit ReceiptDetailLimit = 500;

    // ---- Enums, domain to wire ----
    // Domain and proto enums share numbers (the proto adds only X_UNSPECIFIED = 0), so most map by
    // number; EnumAgreementTests checks every pair below name by name and number by number, so a
    // member added on one side only fails the build's tests rather than mislabelling data.

    public static Api.V1.Sector ToApi(Domain.Enterprises.Sector s) => (Api.V1.Sector)(int)s;

    public static Api.V1.ReportChannel ToApi(Domain.Hazards.ReportChannel c) => (Api.V1.ReportChannel)(int)c;

    public static Api.V1.HazardState ToApi(Domain.Hazards.HazardStatus s) => (Api.V1.HazardState)(int)s;

    public static Api.V1.ConfirmingParty ToApi(Domain.Hazards.ConfirmingParty p) => (Api.V1.ConfirmingParty)(int)p;

    public static Api.V1.SupervisionLevel ToApi(Escalations.SupervisionLevel l) => (Api.V1.SupervisionLevel)(int)l;

    public static Api.V1.EscalationStep ToApi(Escalations.EscalationStep s) => (Api.V1.EscalationStep)(int)s;

    public static Api.V1.TrailAction ToApi(Domain.Hazards.TrailAction a) => (Api.V1.TrailAction)(int)a;

    public static Api.V1.DirectReportKind ToApi(Escalations.DirectReportKind k) => (Api.V1.DirectReportKind)(int)k;

    public static Api.V1.NotificationKind ToApi(Domain.Notifications.NotificationKind k) => (Api.V1.NotificationKind)(int)k;

    /// <summary>Exhaustive: a role added to the domain must be added to the proto too.</summary>
    public static Api.V1.RecipientRole ToApi(Domain.Notifications.RecipientRole r) => r switch
    {
        Domain.Notifications.RecipientRole.Principal => Api.V1.RecipientRole.Principal,
        Domain.Notifications.RecipientRole.ActualController => Api.V1.RecipientRole.ActualController,
        Domain.Notifications.RecipientRole.SupervisingOffice => Api.V1.RecipientRole.SupervisingOffice,
        _ => throw new ArgumentOutOfRangeException(nameof(r), r, "not a recipient role the API knows"),
    };

    /// <summary>By name, not number: the domain's levels count from 0 (province), the proto's from 1.</summary>
    public static Api.V1.RegionLevel ToApi(Regions.RegionLevel l) => l switch
    {
        Regions.RegionLevel.Province => Api.V1.RegionLevel.Province,
        Regions.RegionLevel.City => Api.V1.RegionLevel.City,
        Regions.RegionLevel.County => Api.V1.RegionLevel.County,
        Regions.RegionLevel.Town => Api.V1.RegionLevel.Town,
        _ => throw new ArgumentOutOfRangeException(nameof(l), l, "not a region level the API knows"),
    };

    /// <summary>
    /// The trigger the grains store with each escalation (EnterpriseGrain.EscalationTrigger, the
    /// actor of the ladder's writes). The stored string stays as it is; the wire gets an enum.
    /// </summary>
    public const string LadderTrigger = "escalation-ladder";

    /// <summary>
    /// A stored trigger string as the wire's enum. Not exhaustive by nature (strings): a trigger
    /// this gateway does not know reads as UNSPECIFIED, which the proto documents as "not known to
    /// this version", rather than failing the whole read.
    /// </summary>
    public static Api.V1.EscalationTrigger ToApiTrigger(string? trigger) => trigger switch
    {
        LadderTrigger => Api.V1.EscalationTrigger.Ladder,
        _ => Api.V1.EscalationTrigger.Unspecified,
    };
}
