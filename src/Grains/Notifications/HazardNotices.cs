using HazardGrid.Common;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Regions;

namespace HazardGrid.Notifications;

/// <summary>
/// Who is told what about a hazard (001 item 5; the ladder's steps), as pure functions. A notice's
/// id is its hazard, kind (or step) and recipient role, so computing it twice yields the same record.
/// </summary>
public static class HazardNotices
{
    /// <summary>A new major hazard: the principal and the actual controller.</summary>
    public static IEnumerable<Notification> NewHazard(MajorHazard hazard, Addressees to)
    {
        var message = $"重大事故隐患 {hazard.Id}: {hazard.Criterion} @ {hazard.Location} ({hazard.Channels[0]})";
        Notification To(RecipientRole role, Enterprises.Person person) =>
            new($"{hazard.Id}/{NotificationKind.NewMajorHazard}/{role}", hazard.RegisteredAt, hazard.Id, NotificationKind.NewMajorHazard, role, person.Name, person.Phone, message);
        yield return To(RecipientRole.Principal, to.Principal);
        yield return To(RecipientRole.ActualController, to.ActualController);
    }

    /// <summary>A ladder step: the principal, the actual controller, and the office supervising the
    /// hazard at its (possibly just raised) level.</summary>
    public static IEnumerable<Notification> Escalation(MajorHazard hazard, EscalationRecord escalation, Addressees to, RegionCatalog regions)
    {
        var office = regions.SelfAndAncestors(hazard.TownCode).First(r => r.Level == hazard.SupervisionLevel switch
        {
            SupervisionLevel.County => RegionLevel.County,
            SupervisionLevel.City => RegionLevel.City,
            _ => RegionLevel.Province,
        });
        Notification To(RecipientRole role, string name, string? phone, string message) =>
            new($"{hazard.Id}/{escalation.Step}/{role}", escalation.FiredAt, hazard.Id, NotificationKind.Escalation, role, name, phone, message);
        if (escalation.Step == EscalationStep.DeadlineWarning)
        {
            // A warning before the deadline (issue 11 part 3): the principal, who must finish the
            // work, and the office that will act at the deadline.
            var warning = $"{escalation.Step}: 重大事故隐患 {hazard.Id} ({hazard.Criterion} @ {hazard.Location}) 整改期限将至, deadline {(hazard.Deadline is { } d ? ChinaTime.ToChina(d).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "-")}";
            yield return To(RecipientRole.Principal, to.Principal.Name, to.Principal.Phone, warning);
            yield return To(RecipientRole.SupervisingOffice, $"{office.Name}安委办", null, warning);
            yield break;
        }

        var message = $"{escalation.Step}: 重大事故隐患 {hazard.Id} ({hazard.Criterion} @ {hazard.Location}) 逾期未整改, due {ChinaTime.ToChina(escalation.DueAt):yyyy-MM-dd}";
        yield return To(RecipientRole.Principal, to.Principal.Name, to.Principal.Phone, message);
        yield return To(RecipientRole.ActualController, to.ActualController.Name, to.ActualController.Phone, message);
        yield return To(RecipientRole.SupervisingOffice, $"{office.Name}安委办", null, message);
    }
}
