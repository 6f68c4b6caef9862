using System.Globalization;
using HazardGrid.Common;
using HazardGrid.Escalations;

namespace HazardGrid.Hazards;

/// <summary>
/// The lifecycle rules of a major hazard, as pure functions: given the hazard, a command and the
/// time, either the next version with its trail entry, or a <see cref="DomainException"/> and
/// nothing changed.
/// <code>
/// Registered ──start──▶ Rectifying ──submit──▶ AwaitingVerification ──close (3 parties)──▶ Closed
///                          ▲  │progress              │return
///                          └──┴──────────────────────┘
/// any open status ──withdraw──▶ Withdrawn | Invalid
/// </code>
/// </summary>
public static class HazardLifecycle
{
    /// <summary>The longest rectification deadline accepted; beyond it a date is almost surely a typo.</summary>
    public static readonly TimeSpan MaxDeadline = TimeSpan.FromDays(3 * 366);

    private static readonly TimeSpan s_clockSkew = TimeSpan.FromMinutes(5);

    /// <summary>A new record, listed under ladder version <paramref name="ladderVersion"/> (the policy
    /// in force now), which it keeps until a supervisor re-plans it.</summary>
    public static (MajorHazard Hazard, TrailEntry Entry) Register(string id, HazardRegistration registration, WriteRequest request, DateTimeOffset now, int ladderVersion = 0)
    {
        var report = registration.Report;
        var hazard = new MajorHazard(
            id, 1, report.CreditCode, registration.EnterpriseName, registration.TownCode, report.Sector,
            [report.Channel], report.Criterion, report.Location, report.Description, report.FoundAt, now,
            HazardStatus.Registered, null, null, 0, [], null, null, now, report.ListingLevel, [], ladderVersion, TipId: report.TipId);
        return (hazard, Entry(hazard, request, now, TrailAction.Registered,
            $"registered via {report.Channel}: {report.Criterion} at {report.Location}; listed for {SupervisionLevels.Describe(hazard.SupervisionLevel)} supervision"
            + (ladderVersion > 0 ? $" under escalation ladder version {ladderVersion}" : string.Empty)));
    }

    public static (MajorHazard Hazard, TrailEntry Entry) ReportAgain(MajorHazard hazard, ReportChannel channel, WriteRequest request, DateTimeOffset now)
    {
        var next = Next(hazard, now) with
        {
            Channels = hazard.Channels.Contains(channel) ? hazard.Channels : hazard.Channels.Add(channel),
        };
        return (next, Entry(next, request, now, TrailAction.ReportedAgain, $"same finding reported again via {channel}"));
    }

    /// <summary>Applies a command. A null entry means the command changed nothing (a ladder step that
    /// is no longer due), so there is nothing to store.</summary>
    /// <remarks><paramref name="policy"/> is the hazard's own ladder (the version it is listed under)
    /// with today's thresholds and cap; <paramref name="currentLadderVersion"/> the version in force
    /// now, which a re-plan moves the hazard to.</remarks>
    public static (MajorHazard Hazard, TrailEntry? Entry) Apply(MajorHazard hazard, HazardCommand command, WriteRequest request, DateTimeOffset now, EscalationPolicy policy, int currentLadderVersion = 0) =>
        command switch
        {
            ReplanLadder c => Replan(hazard, c, request, now, currentLadderVersion),
            RequestExtension c => RequestLater(hazard, c, request, now, policy),
            DecideExtension c => Decide(hazard, c, request, now, policy),
            ExtendDeadline c => Extend(hazard, c, request, now),
            RaiseSupervisionLevel c => Raise(hazard, c, request, now),
            FireEscalation c => Fire(hazard, c, request, now, policy),
            StartRectification c => Start(hazard, c, request, now),
            RecordProgress c => Progress(hazard, c, request, now),
            SubmitForVerification c => Submit(hazard, c, request, now),
            ReturnForRectification c => Return(hazard, c, request, now),
            ConfirmRectification c => Confirm(hazard, c, request, now),
            CloseHazard c => Close(hazard, c, request, now),
            WithdrawHazard c => Withdraw(hazard, c, request, now),
            _ => throw DomainException.Invalid("command", $"unknown command {command.GetType().Name}"),
        };

    private static (MajorHazard, TrailEntry) Start(MajorHazard hazard, StartRectification c, WriteRequest request, DateTimeOffset now)
    {
        RequireStatus(hazard, HazardStatus.Registered, "start rectification");
        var plan = TextLimits.Required(c.Plan, "plan", TextLimits.Note);
        if (c.Deadline == default)
        {
            throw DomainException.Invalid("deadline", "is required");
        }

        if (c.Deadline <= now)
        {
            throw DomainException.Invalid("deadline", $"{Format(c.Deadline)} is not in the future");
        }

        if (c.Deadline > now + MaxDeadline)
        {
            throw DomainException.Invalid("deadline", $"{Format(c.Deadline)} is more than three years away");
        }

        var next = Next(hazard, now) with { Status = HazardStatus.Rectifying, Deadline = c.Deadline, Plan = plan, RectificationStartedAt = now, OriginalDeadline = c.Deadline };
        return (next, Entry(next, request, now, TrailAction.RectificationStarted, $"deadline {Format(c.Deadline)}; plan: {plan}"));
    }

    private static (MajorHazard, TrailEntry) Progress(MajorHazard hazard, RecordProgress c, WriteRequest request, DateTimeOffset now)
    {
        RequireStatus(hazard, HazardStatus.Rectifying, "record progress");
        if (c.Percent is < 0 or > 100)
        {
            throw DomainException.Invalid("progress_percent", $"{c.Percent} is outside 0-100");
        }

        var note = TextLimits.Required(c.Note, "note", TextLimits.Note);
        if (c.Percent < hazard.ProgressPercent)
        {
            throw DomainException.Precondition("progress_percent", $"{c.Percent}% is below the {hazard.ProgressPercent}% already recorded");
        }

        var next = Next(hazard, now) with { ProgressPercent = c.Percent };
        return (next, Entry(next, request, now, TrailAction.ProgressRecorded, $"{c.Percent}%: {note}"));
    }

    private static (MajorHazard, TrailEntry) Submit(MajorHazard hazard, SubmitForVerification c, WriteRequest request, DateTimeOffset now)
    {
        RequireStatus(hazard, HazardStatus.Rectifying, "submit for verification");
        var note = TextLimits.Optional(c.Note, "note", TextLimits.Note);
        var next = Next(hazard, now) with { Status = HazardStatus.AwaitingVerification, ProgressPercent = 100 };
        return (next, Entry(next, request, now, TrailAction.SubmittedForVerification, note ?? "rectification reported complete"));
    }

    private static (MajorHazard, TrailEntry) Return(MajorHazard hazard, ReturnForRectification c, WriteRequest request, DateTimeOffset now)
    {
        RequireStatus(hazard, HazardStatus.AwaitingVerification, "return for rectification");
        var reason = TextLimits.Required(c.Reason, "reason", TextLimits.Note);
        var next = Next(hazard, now) with { Status = HazardStatus.Rectifying, Confirmations = [] };
        return (next, Entry(next, request, now, TrailAction.ReturnedForRectification, reason));
    }

    private static (MajorHazard, TrailEntry) Confirm(MajorHazard hazard, ConfirmRectification c, WriteRequest request, DateTimeOffset now)
    {
        RequireStatus(hazard, HazardStatus.AwaitingVerification, "confirm rectification");
        var confirmation = ValidConfirmation(c.Confirmation, "confirmation", hazard, now);
        if (hazard.Confirmations.Any(x => x.Party == confirmation.Party))
        {
            throw DomainException.Precondition("confirmation.party", $"the {Describe(confirmation.Party)} has already confirmed");
        }

        var next = Next(hazard, now) with { Confirmations = hazard.Confirmations.Add(confirmation) };
        return (next, Entry(next, request, now, TrailAction.Confirmed, $"{Describe(confirmation.Party)} {confirmation.Name} confirmed at {Format(confirmation.ConfirmedAt)}"));
    }

    private static (MajorHazard, TrailEntry) Close(MajorHazard hazard, CloseHazard c, WriteRequest request, DateTimeOffset now)
    {
        RequireStatus(hazard, HazardStatus.AwaitingVerification, "close");
        var given = c.Confirmations.IsDefault ? [] : c.Confirmations;
        var all = hazard.Confirmations.ToBuilder();
        for (var i = 0; i < given.Length; i++)
        {
            var confirmation = ValidConfirmation(given[i], $"confirmations[{i}]", hazard, now);
            if (given.Take(i).Any(x => x.Party == confirmation.Party))
            {
                throw DomainException.Invalid($"confirmations[{i}].party", $"the {Describe(confirmation.Party)} is given twice");
            }

            if (hazard.Confirmations.Any(x => x.Party == confirmation.Party))
            {
                throw DomainException.Precondition($"confirmations[{i}].party", $"the {Describe(confirmation.Party)} has already confirmed");
            }

            all.Add(confirmation);
        }

        var missing = Enum.GetValues<ConfirmingParty>().Where(p => all.All(x => x.Party != p)).ToList();
        if (missing.Count > 0)
        {
            throw DomainException.Precondition(
                "confirmations",
                $"closure needs the three-party confirmation (regulator, expert, principal); missing: {string.Join(", ", missing.Select(Describe))}");
        }

        var next = Next(hazard, now) with { Status = HazardStatus.Closed, Confirmations = all.ToImmutable(), ClosedAt = now };
        return (next, Entry(next, request, now, TrailAction.Closed,
            "closed after three-party confirmation: " + string.Join("; ", next.Confirmations.Select(x => $"{Describe(x.Party)} {x.Name}"))));
    }

    private static (MajorHazard, TrailEntry) Withdraw(MajorHazard hazard, WithdrawHazard c, WriteRequest request, DateTimeOffset now)
    {
        if (!hazard.IsOpen)
        {
            throw DomainException.Precondition("status", $"a {Describe(hazard.Status)} hazard cannot be withdrawn");
        }

        var reason = TextLimits.Required(c.Reason, "reason", TextLimits.Note);
        var next = Next(hazard, now) with { Status = c.Invalid ? HazardStatus.Invalid : HazardStatus.Withdrawn, WithdrawalReason = reason };
        return (next, Entry(next, request, now, c.Invalid ? TrailAction.MarkedInvalid : TrailAction.Withdrawn, reason));
    }

    private static (MajorHazard, TrailEntry) Extend(MajorHazard hazard, ExtendDeadline c, WriteRequest request, DateTimeOffset now)
    {
        RequireStatus(hazard, HazardStatus.Rectifying, "extend the deadline");
        var reason = TextLimits.Required(c.Reason, "reason", TextLimits.Note);
        var decidedBy = TextLimits.Required(c.DecidedBy, "decided_by", TextLimits.PersonName);
        if (c.NewDeadline == default)
        {
            throw DomainException.Invalid("deadline", "is required");
        }

        if (c.NewDeadline <= now)
        {
            throw DomainException.Invalid("deadline", $"{Format(c.NewDeadline)} is not in the future");
        }

        if (c.NewDeadline <= hazard.Deadline)
        {
            throw DomainException.Invalid("deadline", $"{Format(c.NewDeadline)} is not later than the current deadline {Format(hazard.Deadline!.Value)}");
        }

        if (c.NewDeadline > now + MaxDeadline)
        {
            throw DomainException.Invalid("deadline", $"{Format(c.NewDeadline)} is more than three years away");
        }

        // A direct decision is not capped, but counts toward the cap on requests (see TotalExtension).
        var next = Next(hazard, now) with { Deadline = c.NewDeadline, OriginalDeadline = hazard.OriginalDeadline ?? hazard.Deadline };
        return (next, Entry(next, request, now, TrailAction.DeadlineExtended,
            $"deadline {Format(hazard.Deadline!.Value)} → {Format(c.NewDeadline)}, decided by {decidedBy}: {reason}; the ladder re-plans from the new deadline"));
    }

    /// <summary>Moves a running hazard to the ladder in force now. Rungs fired stay recorded; the next
    /// rung is read from the new ladder from then on.</summary>
    private static (MajorHazard, TrailEntry) Replan(MajorHazard hazard, ReplanLadder c, WriteRequest request, DateTimeOffset now, int current)
    {
        if (!hazard.IsOpen)
        {
            throw DomainException.Precondition("status", $"a {Describe(hazard.Status)} hazard climbs no ladder any more");
        }

        var reason = TextLimits.Required(c.Reason, "reason", TextLimits.Note);
        var decidedBy = TextLimits.Required(c.DecidedBy, "decided_by", TextLimits.PersonName);
        var from = Math.Max(hazard.LadderVersion, 1);
        if (current < 1)
        {
            throw DomainException.Precondition("name", "no ladder version is in force yet");
        }

        if (from == current)
        {
            throw DomainException.Precondition("name", $"the hazard already follows the ladder in force (version {current})");
        }

        var next = Next(hazard, now) with { LadderVersion = current };
        return (next, Entry(next, request, now, TrailAction.LadderReplanned,
            $"escalation ladder version {from} → {current}, decided by {decidedBy}: {reason}"));
    }

    /// <summary>The enterprise asks for a later deadline: checked now (so a request beyond the cap is
    /// refused at once and changes nothing), recorded as pending until decided.</summary>
    private static (MajorHazard, TrailEntry) RequestLater(MajorHazard hazard, RequestExtension c, WriteRequest request, DateTimeOffset now, EscalationPolicy policy)
    {
        RequireStatus(hazard, HazardStatus.Rectifying, "request an extension");
        if (hazard.PendingExtension is { } pending)
        {
            throw DomainException.Precondition("name", $"an extension to {Format(pending.NewDeadline)} requested at {Format(pending.RequestedAt)} awaits a decision; one request at a time");
        }

        var reason = TextLimits.Required(c.Reason, "reason", TextLimits.Note);
        RequireExtensionAllowed(hazard, c.NewDeadline, now, policy);
        var next = Next(hazard, now) with { PendingExtension = new ExtensionRequest(c.NewDeadline, reason, request.Actor, now) };
        return (next, Entry(next, request, now, TrailAction.ExtensionRequested,
            $"extension requested: deadline {Format(hazard.Deadline!.Value)} → {Format(c.NewDeadline)}: {reason}; awaits the {SupervisionLevels.Describe(hazard.SupervisionLevel)} supervising office's decision"));
    }

    /// <summary>The supervising office decides the pending request: approval moves the deadline (the
    /// ladder re-plans from it), a refusal is only recorded.</summary>
    private static (MajorHazard, TrailEntry) Decide(MajorHazard hazard, DecideExtension c, WriteRequest request, DateTimeOffset now, EscalationPolicy policy)
    {
        if (hazard.PendingExtension is not { } pending)
        {
            throw DomainException.Precondition("name", "no extension request awaits a decision");
        }

        var reason = TextLimits.Required(c.Reason, "reason", TextLimits.Note);
        var decidedBy = TextLimits.Required(c.DecidedBy, "decided_by", TextLimits.PersonName);
        var asked = $"extension to {Format(pending.NewDeadline)} requested by {pending.RequestedBy} ({pending.Reason})";
        if (!c.Approve)
        {
            var refused = Next(hazard, now) with { PendingExtension = null };
            return (refused, Entry(refused, request, now, TrailAction.ExtensionRefused, $"{asked} refused by {decidedBy}: {reason}"));
        }

        // Checked again: time has passed and the deadline or the cap may have changed since the request.
        RequireStatus(hazard, HazardStatus.Rectifying, "approve an extension");
        RequireExtensionAllowed(hazard, pending.NewDeadline, now, policy);
        var next = Next(hazard, now) with { Deadline = pending.NewDeadline, OriginalDeadline = hazard.OriginalDeadline ?? hazard.Deadline, PendingExtension = null };
        return (next, Entry(next, request, now, TrailAction.ExtensionApproved,
            $"{asked} approved by {decidedBy}: {reason}; deadline {Format(hazard.Deadline!.Value)} → {Format(pending.NewDeadline)}, "
            + $"{Days(next.TotalExtension)} days extended in total of at most {policy.MaxTotalExtensionDays}; the ladder re-plans from the new deadline"));
    }

    private static void RequireExtensionAllowed(MajorHazard hazard, DateTimeOffset newDeadline, DateTimeOffset now, EscalationPolicy policy)
    {
        if (newDeadline == default)
        {
            throw DomainException.Invalid("deadline", "is required");
        }

        if (newDeadline <= hazard.Deadline)
        {
            throw DomainException.Invalid("deadline", $"{Format(newDeadline)} is not later than the current deadline {Format(hazard.Deadline!.Value)}");
        }

        if (newDeadline <= now)
        {
            throw DomainException.Invalid("deadline", $"{Format(newDeadline)} is not in the future");
        }

        var original = hazard.OriginalDeadline ?? hazard.Deadline!.Value;
        if (newDeadline - original > TimeSpan.FromDays(policy.MaxTotalExtensionDays))
        {
            throw DomainException.Precondition("deadline",
                $"{Format(newDeadline)} would extend the deadline by {Days(newDeadline - original)} days in total over the original deadline {Format(original)}; "
                + $"at most {policy.MaxTotalExtensionDays} days are allowed (HazardGrid:Escalation:MaxTotalExtensionDays), so the latest deadline is {Format(original.AddDays(policy.MaxTotalExtensionDays))}");
        }
    }

    private static string Days(TimeSpan span) => span.TotalDays.ToString("0.#", CultureInfo.InvariantCulture);

    private static (MajorHazard, TrailEntry) Raise(MajorHazard hazard, RaiseSupervisionLevel c, WriteRequest request, DateTimeOffset now)
    {
        if (!hazard.IsOpen)
        {
            throw DomainException.Precondition("status", $"a {Describe(hazard.Status)} hazard is no longer supervised");
        }

        var reason = TextLimits.Required(c.Reason, "reason", TextLimits.Note);
        var decidedBy = TextLimits.Required(c.DecidedBy, "decided_by", TextLimits.PersonName);
        var level = SupervisionLevels.Raise(hazard.SupervisionLevel);
        var next = Next(hazard, now) with { SupervisionLevel = level };
        return (next, Entry(next, request, now, TrailAction.SupervisionLevelRaised,
            $"supervision raised {SupervisionLevels.Describe(hazard.SupervisionLevel)} → {SupervisionLevels.Describe(level)} by {decidedBy}: {reason}"));
    }

    /// <summary>
    /// Fires a ladder step if, on the hazard as it stands now, it is the next rung and due. Anything
    /// else (fired already, deadline extended, hazard closed) is a stale request: nothing changes.
    /// </summary>
    private static (MajorHazard, TrailEntry?) Fire(MajorHazard hazard, FireEscalation c, WriteRequest request, DateTimeOffset now, EscalationPolicy policy)
    {
        if (policy.NextRung(hazard.Facts) is not ({ } rung, var dueAt) || rung.Step != c.Step || dueAt > now)
        {
            return (hazard, null);
        }

        var level = rung.RaisesLevel && hazard.SupervisionLevel != SupervisionLevel.Province ? hazard.SupervisionLevel + 1 : hazard.SupervisionLevel;
        var next = Next(hazard, now) with
        {
            Escalations = hazard.Escalations.Add(new EscalationRecord(rung.Step, dueAt, now, request.Actor)),
            SupervisionLevel = level,
        };
        var raised = level != hazard.SupervisionLevel ? $"; supervision raised {SupervisionLevels.Describe(hazard.SupervisionLevel)} → {SupervisionLevels.Describe(level)}" : string.Empty;
        return (next, Entry(next, request, now, TrailAction.Escalated, $"{rung.Step} due {Format(dueAt)}, fired {Format(now)}{raised}"));
    }

    private static PartyConfirmation ValidConfirmation(PartyConfirmation? confirmation, string field, MajorHazard hazard, DateTimeOffset now)
    {
        if (confirmation is null)
        {
            throw DomainException.Invalid(field, "is required");
        }

        if (!Enum.IsDefined(confirmation.Party))
        {
            throw DomainException.Invalid($"{field}.party", "must be regulator, expert or principal");
        }

        var name = TextLimits.Required(confirmation.Name, $"{field}.name", TextLimits.PersonName);
        if (confirmation.ConfirmedAt == default)
        {
            throw DomainException.Invalid($"{field}.confirm_time", "is required");
        }

        if (confirmation.ConfirmedAt > now + s_clockSkew)
        {
            throw DomainException.Invalid($"{field}.confirm_time", "lies in the future");
        }

        if (confirmation.ConfirmedAt < hazard.RegisteredAt - s_clockSkew)
        {
            throw DomainException.Invalid($"{field}.confirm_time", "lies before the hazard was registered");
        }

        return confirmation with { Name = name };
    }

    private static void RequireStatus(MajorHazard hazard, HazardStatus required, string action)
    {
        if (hazard.Status != required)
        {
            throw DomainException.Precondition("status", $"cannot {action}: the hazard is {Describe(hazard.Status)}, not {Describe(required)}");
        }
    }

    private static MajorHazard Next(MajorHazard hazard, DateTimeOffset now) =>
        hazard with { Version = hazard.Version + 1, UpdatedAt = now };

    private static TrailEntry Entry(MajorHazard hazard, WriteRequest request, DateTimeOffset now, TrailAction action, string detail) =>
        new(hazard.Version, now, request.Actor, request.RequestId, action, detail);

    private static string Describe(HazardStatus status) => status switch
    {
        HazardStatus.AwaitingVerification => "awaiting verification",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static string Describe(ConfirmingParty party) => party.ToString().ToLowerInvariant();

    /// <summary>An instant as messages and trail details print it: China time, as the service counts
    /// (e.g. 2026-11-27 09:30:00 +08:00), whatever offset it arrived with.</summary>
    private static string Format(DateTimeOffset instant) => ChinaTime.ToChina(instant).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);
}
