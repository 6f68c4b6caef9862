using Google.Protobuf.WellKnownTypes;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Playwright;

namespace HazardGrid.Tests.Console;

/// <summary>What a person does before a console test starts: an operator creates their account
/// (through AccountService, as the command line does), and they sign in on the page.</summary>
public static class ConsoleSteps
{
    public const string Password = "correct horse 电池";

    public static async Task<string> NewAccount(ClusterFixture fixture, string region, bool disabled = false)
    {
        var accounts = new AccountService.AccountServiceClient(fixture.As(TestTokens.Mint("operator", TestTokens.Province, "test-console-operator")));
        var user = $"console.{Guid.NewGuid():N}"[..20];
        await accounts.CreateAccountAsync(new CreateAccountRequest
        {
            UserName = user, DisplayName = "王监管", Role = AccountRole.Supervisor, Region = region, Password = Password,
        });
        if (disabled)
        {
            await accounts.DisableAccountAsync(new AccountRequest { UserName = user });
        }

        return user;
    }

    /// <summary>Opens the console without a session (sent to the sign-in page), signs in with the form.</summary>
    public static async Task SignIn(IPage page, string user, string password = Password)
    {
        await page.GotoAsync("/console/");
        await page.WaitForURLAsync("**/console/sign-in");
        await page.FillAsync("input[name=user_name]", user);
        await page.FillAsync("input[name=password]", password);
        await page.ClickAsync("button[type=submit]");
    }

    /// <summary>A registered enterprise in <paramref name="town"/> with one major hazard reported by its
    /// system (self-report, found yesterday); returns the hazard.</summary>
    public static async Task<Hazard> ReportHazard(ClusterFixture fixture, string creditCode, string location)
    {
        var api = new ApiDriver(fixture);
        var answer = await api.Report(creditCode, ApiDriver.Finding(ReportChannel.SelfReport, Api.V1.Sector.Chemicals, "GB 36894 第4条", location, fixture.Now.AddDays(-1)));
        return answer.Hazard;
    }

    public static async Task<string> RegisterEnterprise(ClusterFixture fixture, string town) =>
        (await new ApiDriver(fixture).Register(TestData.NewEnterprise(town))).CreditCode;

    public static Timestamp At(DateTimeOffset time) => Timestamp.FromDateTimeOffset(time);
}
