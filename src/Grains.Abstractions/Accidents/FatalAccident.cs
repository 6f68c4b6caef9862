using HazardGrid.Common;

namespace HazardGrid.Accidents;

/// <summary>A fatal accident as a pushing system reports it.</summary>
[GenerateSerializer, Immutable, Alias("hg.FatalAccidentReport")]
public sealed record FatalAccidentReport(DateTimeOffset OccurredAt, int Deaths, string Description)
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

        if (OccurredAt.Year < 2000)
        {
            // As for a hazard's found_time: an accident before the systems that report it is a typo.
            throw DomainException.Invalid("accident.occurred_time", "lies before 2000");
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
public sealed record FatalAccident(string Id, string CreditCode, string TownCode, DateTimeOffset OccurredAt, int Deaths, string Description, DateTimeOffset ReportedAt);
