using HazardGrid.Api.V1;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>Small conveniences over the API types for tests.</summary>
public static class ApiMapperForTests
{
    public static string Name(this Api.V1.Enterprise enterprise) => $"enterprises/{enterprise.CreditCode}";
}
