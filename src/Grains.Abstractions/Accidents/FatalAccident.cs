using HazardGrid.Common;

namespace HazardGrid.Accidents;

/// <summary>A fatal accident as a pushing system reports it.</summary>
[GenerateSerializer, Immutable, Alias("hg.FatalAccidentReport")]
public sealed record FatalAccidentReport([property: Id(0)] DateTimeOffset OccurredAt, [property: Id(1)] int Deaths, [property: Id(2)] string Description)
{
    public FatalAccidentReport Validate(DateTimeOffset now)
    {
        if (OccurredAt == default)
        {
            throw DomainException.Invalid("accident.occurred_time", "is required");
        }

        if (OccurredAt > now.AddMinutes(5))
        {
            throw DomainException.Invalid("accident.occurred_time", "lies in the future");
        }

        if (Deaths is < 1 or > 10_000)
        {
            throw DomainException.Invalid("accident.deaths", $"{Deaths} is not a number of deaths of a fatal accident (1 or more)");
        }

        return this with { Description = TextLimits.Required(Description, "accident.description", TextLimits.Description) };
    }
}

/// <summary>A fatal accident at an enterprise, as its town counts it.</summary>
[GenerateSerializer, Immutable, Alias("hg.FatalAccident")]
public sealed record FatalAccident([property: Id(0)] string Id, [property: Id(1)] string CreditCode, [property: Id(2)] string TownCode, [property: Id(3)] DateTimeOffset OccurredAt, [property: Id(4)] int Deaths, [property: Id(5)] string Description, [property: Id(6)] DateTimeOffset ReportedAt);
