using HazardGrid.Api.V1;
using HazardGrid.Gateway.Services;
using HazardGrid.Rollups;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>Recounts figures from hazards as the API returns them: the reference the regions must match.</summary>
public static class ApiMapperForTests
{
    public static string Name(this Api.V1.Enterprise enterprise) => $"enterprises/{enterprise.CreditCode}";

    public static Rollups.HazardFacts Facts(Hazard h) => new(
        h.Name,
        h.Version,
        h.Name.Split('/')[1],
        h.Town,
        (Enterprises.Sector)(int)h.Sector,
        (Hazards.HazardStatus)(int)h.State,
        h.FoundTime.ToDateTimeOffset(),
        h.Deadline?.ToDateTimeOffset(),
        h.CloseTime?.ToDateTimeOffset(),
        (Escalations.SupervisionLevel)(int)h.SupervisionLevel,
        [.. h.Escalations.Select(e => new Escalations.EscalationRecord((Escalations.EscalationStep)(int)e.Step, e.DueTime.ToDateTimeOffset(), e.FireTime.ToDateTimeOffset(), e.Trigger == EscalationTrigger.Ladder ? ApiMapper.LadderTrigger : string.Empty))]);

    public static Api.V1.HazardFigures Recount(IEnumerable<Hazard> hazards, DateTimeOffset now) =>
        ApiMapper.ToApi(Rollups.HazardFigures.Count(hazards.Select(Facts), now));
}
