using System.Net;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Accounts;
using HazardGrid.Tests.Infrastructure;
using HazardGrid.Tests.JsonApi;
using Xunit;

namespace HazardGrid.Tests.Circular;

/// <summary>
/// Who may read a circular and what a bad request is told: the scope rules of the other region
/// reads, and refusals naming the request's field. Nothing is written.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class CircularAccessTests(ClusterFixture fixture)
{
    private const string Shanting = "370406";
    private const string Xuecheng = "370403";

    [Fact]
    public async Task A_circular_outside_the_callers_region_is_permission_denied()
    {
        var county = new RegionService.RegionServiceClient(fixture.As(TestTokens.Mint("supervisor", Shanting, "shanting-supervisor")));
        foreach (var name in new[] { $"regions/{Xuecheng}", "regions/3704", "regions/37", "regions/370403001" })
        {
            var refusal = await ApiDriver.Refusal(() => county.GetMonthlyCircularAsync(new GetMonthlyCircularRequest { Name = name, Month = "2025-05" }).ResponseAsync);
            Assert.Equal((StatusCode.PermissionDenied, "name"), (refusal.Code, refusal.Field));
            var export = await ApiDriver.Refusal(() => county.ExportMonthlyCircularAsync(new ExportMonthlyCircularRequest { Name = name, Month = "2025-05", Format = "csv" }).ResponseAsync);
            Assert.Equal((StatusCode.PermissionDenied, "name"), (export.Code, export.Field));
        }

        // Its own county and a town of it are read.
        Assert.Equal($"regions/{Shanting}", (await county.GetMonthlyCircularAsync(new GetMonthlyCircularRequest { Name = $"regions/{Shanting}", Month = "2025-05" })).Name);
        Assert.Empty((await county.GetMonthlyCircularAsync(new GetMonthlyCircularRequest { Name = $"regions/{Shanting}001", Month = "2025-05" })).Ranking);

        // A town's supervisor cannot read its county; an operator reads no hazard data.
        var town = new RegionService.RegionServiceClient(fixture.As(TestTokens.Mint("supervisor", $"{Shanting}001", "town-supervisor")));
        Assert.Equal(StatusCode.PermissionDenied, (await ApiDriver.Refusal(() => town.GetMonthlyCircularAsync(new GetMonthlyCircularRequest { Name = $"regions/{Shanting}", Month = "2025-05" }).ResponseAsync)).Code);
        var operatorCaller = new RegionService.RegionServiceClient(fixture.As(TestTokens.Mint("operator", "37", "an-operator")));
        Assert.Equal(StatusCode.PermissionDenied, (await ApiDriver.Refusal(() => operatorCaller.GetMonthlyCircularAsync(new GetMonthlyCircularRequest { Name = "regions/37", Month = "2025-05" }).ResponseAsync)).Code);

        // Over HTTP: 403 for the document, 401 without a credential.
        using var http = new JsonApiClient(fixture.JsonAddress, TestTokens.Mint("supervisor", Shanting, "shanting-supervisor"));
        using var denied = await http.Http.GetAsync($"/v1/regions/{Xuecheng}/circulars/2025-05:export?format=csv");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        using var anonymous = new HttpClient { BaseAddress = fixture.JsonAddress };
        using var unauthenticated = await anonymous.GetAsync($"/v1/regions/{Shanting}/circulars/2025-05:export?format=csv");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
    }

    [Fact]
    public async Task A_signed_in_supervisor_downloads_its_own_countys_circular_with_the_session_cookie()
    {
        const string Password = "通报 correct horse";
        var user = $"circular.{Guid.NewGuid():N}"[..20];
        var accounts = new AccountService.AccountServiceClient(fixture.As(TestTokens.Mint("operator", TestTokens.Province, "test-operator")));
        await accounts.CreateAccountAsync(new CreateAccountRequest { UserName = user, DisplayName = "张伟", Role = AccountRole.Supervisor, Region = Shanting, Password = Password });
        using var browser = new ConsoleBrowser(fixture.JsonAddress);
        Assert.Equal(HttpStatusCode.OK, (await browser.SignIn(user, Password)).Status);

        var own = await browser.Get($"/v1/regions/{Shanting}/circulars/2025-05:export?format=csv");
        Assert.True(own.Status == HttpStatusCode.OK, own.ToString());
        Assert.Contains("山亭区2025年5月", own.Text);
        var other = await browser.Get($"/v1/regions/{Xuecheng}/circulars/2025-05:export?format=csv");
        Assert.Equal(HttpStatusCode.Forbidden, other.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2025-13")]
    [InlineData("2025-00")]
    [InlineData("2025-6")]
    [InlineData("June 2025")]
    [InlineData("2025-05-01")]
    [InlineData("1999-12")]
    [InlineData("2031-01")] // starts after now
    public async Task A_bad_month_is_invalid_argument_naming_month(string month)
    {
        var refusal = await ApiDriver.Refusal(() => fixture.Regions.GetMonthlyCircularAsync(new GetMonthlyCircularRequest { Name = $"regions/{Shanting}", Month = month }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "month"), (refusal.Code, refusal.Field));
        var export = await ApiDriver.Refusal(() => fixture.Regions.ExportMonthlyCircularAsync(new ExportMonthlyCircularRequest { Name = $"regions/{Shanting}", Month = month }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "month"), (export.Code, export.Field));
    }

    [Fact]
    public async Task An_unknown_format_is_invalid_argument_naming_format()
    {
        var refusal = await ApiDriver.Refusal(() => fixture.Regions.ExportMonthlyCircularAsync(new ExportMonthlyCircularRequest { Name = $"regions/{Shanting}", Month = "2025-05", Format = "xlsx" }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "format"), (refusal.Code, refusal.Field));

        using var http = new JsonApiClient(fixture.JsonAddress);
        var answer = await http.Get($"/v1/regions/{Shanting}/circulars/2025-13:export?format=csv");
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("month", answer.Text);
    }
}
