using System.Net;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Gateway.Security;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Accounts;

/// <summary>
/// People's accounts through the API an operator's command line uses, and their browser sessions
/// against the HTTP/JSON API: the account's own region and nothing else, one refusal for every
/// failed sign-in, lock-out, the cross-site header on cookie writes, and gRPC still bearer-only.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class AccountSignInTests(ClusterFixture fixture)
{
    private const string Password = "correct horse 电池";

    private AccountService.AccountServiceClient Accounts(string role = "operator", string region = TestTokens.Province) =>
        new(fixture.As(TestTokens.Mint(role, region, $"test-{role}-{region}")));

    private async Task<string> NewAccount(string region, AccountRole role = AccountRole.Supervisor, string? password = null)
    {
        var user = $"Person.{Guid.NewGuid():N}"[..20];
        var created = await Accounts().CreateAccountAsync(new CreateAccountRequest
        {
            UserName = user, DisplayName = "张伟", Role = role, Region = region, Password = password ?? Password,
        });
        Assert.Equal(user.ToLowerInvariant(), created.UserName); // case-folded
        Assert.True(created.Enabled);
        return user;
    }

    [Fact]
    public async Task A_signed_in_supervisor_reads_its_own_county_and_is_refused_another()
    {
        var user = await NewAccount("370406");
        using var browser = new ConsoleBrowser(fixture.JsonAddress);

        var signIn = await browser.SignIn(user.ToUpperInvariant(), Password); // user names are not case-sensitive
        Assert.Equal(HttpStatusCode.OK, signIn.Status);
        Assert.Equal("370406", signIn.Json.GetProperty("region").GetString());
        Assert.Equal("supervisor", signIn.Json.GetProperty("role").GetString());
        Assert.DoesNotContain(Password, signIn.Text, StringComparison.Ordinal);
        var cookie = browser.SetCookie!.ToLowerInvariant();
        Assert.Contains("hazardgrid-session=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.Ordinal);
        Assert.Contains("samesite=strict", cookie, StringComparison.Ordinal);

        var own = await browser.Get("/v1/regions/370406/status");
        var other = await browser.Get("/v1/regions/370402/status");
        var city = await browser.Get("/v1/regions/3704/status");

        Assert.True(own.Status == HttpStatusCode.OK, own.ToString());
        Assert.Equal("regions/370406", own.Json.GetProperty("name").GetString());
        foreach (var refused in new[] { other, city })
        {
            Assert.True(refused.Status == HttpStatusCode.Forbidden, refused.ToString());
            Assert.Equal((int)StatusCode.PermissionDenied, refused.Json.GetProperty("code").GetInt32());
            // A refusal carries a status and nothing of the region it refuses.
            Assert.Equal(["code", "details", "message"], refused.Json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task A_wrong_password_an_unknown_user_and_a_disabled_account_hear_the_same_refusal()
    {
        var user = await NewAccount("370406");
        var disabled = await NewAccount("370406");
        await Accounts().DisableAccountAsync(new AccountRequest { UserName = disabled });
        using var browser = new ConsoleBrowser(fixture.JsonAddress);

        var wrong = await browser.SignIn(user, "not the password");
        var unknown = await browser.SignIn("nobody." + Guid.NewGuid().ToString("N")[..8], Password);
        var off = await browser.SignIn(disabled, Password);

        foreach (var refused in new[] { wrong, unknown, off })
        {
            Assert.True(refused.Status == HttpStatusCode.Unauthorized, refused.ToString());
            Assert.Equal(ConsoleSession.Refusal, refused.Json.GetProperty("message").GetString());
        }

        Assert.Null(browser.SessionCookie(fixture.JsonAddress));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.Get("/v1/regions/370406/status")).Status);

        // The sign-in page (Chinese first) refuses in the same words.
        var page = await browser.Get("/console/sign-in");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("用户名", page.Text, StringComparison.Ordinal);
        Assert.Contains("登录", page.Text, StringComparison.Ordinal);
        using var form = await browser.SignInWithForm(user, "not the password");
        Assert.Equal(HttpStatusCode.Unauthorized, form.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(ConsoleSession.Refusal), await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabling_an_account_ends_its_open_session()
    {
        var user = await NewAccount("370406");
        using var browser = new ConsoleBrowser(fixture.JsonAddress);
        Assert.Equal(HttpStatusCode.OK, (await browser.SignIn(user, Password)).Status);
        Assert.Equal(HttpStatusCode.OK, (await browser.Get("/v1/regions/370406/status")).Status);

        await Accounts().DisableAccountAsync(new AccountRequest { UserName = user });

        var after = await browser.Get("/v1/regions/370406/status");
        Assert.True(after.Status == HttpStatusCode.Unauthorized, after.ToString());
        Assert.Equal((int)StatusCode.Unauthenticated, after.Json.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused_too()
    {
        var user = await NewAccount("370406");
        using var browser = new ConsoleBrowser(fixture.JsonAddress);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SignIn(user, $"guess {i}")).Status);
        }

        var locked = await browser.SignIn(user, Password);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.Status);
        Assert.Equal(ConsoleSession.Refusal, locked.Json.GetProperty("message").GetString());
        var listed = (await Accounts().ListAccountsAsync(new ListAccountsRequest())).Accounts.Single(a => a.UserName == user.ToLowerInvariant());
        Assert.InRange(listed.LockedUntil.ToDateTimeOffset() - fixture.Now, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));

        // An operator's reset lifts the lock-out.
        await Accounts().ResetAccountPasswordAsync(new ResetAccountPasswordRequest { UserName = user, Password = "a new password" });
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SignIn(user, Password)).Status);
        Assert.Equal(HttpStatusCode.OK, (await browser.SignIn(user, "a new password")).Status);
    }

    [Fact]
    public async Task A_cookie_authenticated_write_without_the_cross_site_header_is_refused()
    {
        var operatorAccount = await NewAccount("3704", AccountRole.Operator);
        using var browser = new ConsoleBrowser(fixture.JsonAddress);
        Assert.Equal(HttpStatusCode.OK, (await browser.SignIn(operatorAccount, Password)).Status);
        var newcomer = $"new.{Guid.NewGuid():N}"[..16];
        var body = new { userName = newcomer, displayName = "李娜", role = "ACCOUNT_ROLE_SUPERVISOR", region = "370406", password = Password };

        var withoutHeader = await browser.Post("/v1/accounts", body, crossSiteHeader: false);
        Assert.True(withoutHeader.Status == HttpStatusCode.Forbidden, withoutHeader.ToString());
        Assert.Equal("CROSS_SITE_HEADER_MISSING", withoutHeader.Json.GetProperty("details")[0].GetProperty("reason").GetString());
        Assert.DoesNotContain((await Accounts().ListAccountsAsync(new ListAccountsRequest())).Accounts, a => a.UserName == newcomer);

        var withHeader = await browser.Post("/v1/accounts", body, crossSiteHeader: true);
        Assert.True(withHeader.Status == HttpStatusCode.OK, withHeader.ToString());
        Assert.Equal("370406", withHeader.Json.GetProperty("region").GetString());
        Assert.False(withHeader.Json.TryGetProperty("password", out _));
    }

    [Fact]
    public async Task Only_an_operator_manages_accounts_and_only_in_its_region()
    {
        var inJinan = await NewAccount("3701");
        var inZaozhuang = await NewAccount("370406");

        // A supervisor, by token or by session, manages nothing.
        var bySupervisorToken = await Assert.ThrowsAsync<RpcException>(() => Accounts("supervisor", "37").DisableAccountAsync(new AccountRequest { UserName = inJinan }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, bySupervisorToken.StatusCode);
        using var supervisor = new ConsoleBrowser(fixture.JsonAddress);
        Assert.Equal(HttpStatusCode.OK, (await supervisor.SignIn(inZaozhuang, Password)).Status);
        var bySession = await supervisor.Post($"/v1/accounts/{inJinan.ToLowerInvariant()}:disable", new { }, crossSiteHeader: true);
        Assert.True(bySession.Status == HttpStatusCode.Forbidden, bySession.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.Get("/v1/accounts")).Status);

        // Zaozhuang's operator sees and manages Zaozhuang's accounts, not Jinan's, nor creates one there.
        var city = Accounts("operator", "3704");
        var listed = (await city.ListAccountsAsync(new ListAccountsRequest())).Accounts;
        Assert.Contains(listed, a => a.UserName == inZaozhuang.ToLowerInvariant());
        Assert.All(listed, a => Assert.StartsWith("3704", a.Region, StringComparison.Ordinal));
        var elsewhere = await Assert.ThrowsAsync<RpcException>(() => city.DisableAccountAsync(new AccountRequest { UserName = inJinan }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, elsewhere.StatusCode);
        var missing = await Assert.ThrowsAsync<RpcException>(() => city.DisableAccountAsync(new AccountRequest { UserName = "nobody.here" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, missing.StatusCode); // whether it exists is not told outside the province
        var create = await Assert.ThrowsAsync<RpcException>(() => city.CreateAccountAsync(new CreateAccountRequest
        {
            UserName = "jinan.person", Role = AccountRole.Supervisor, Region = "3701", Password = Password,
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, create.StatusCode);
        Assert.True((await Accounts().ListAccountsAsync(new ListAccountsRequest())).Accounts.Single(a => a.UserName == inJinan.ToLowerInvariant()).Enabled);
    }

    [Fact]
    public async Task Bad_account_requests_name_their_field()
    {
        var taken = await NewAccount("370406");
        var cases = new (CreateAccountRequest Request, StatusCode Code)[]
        {
            (new() { UserName = "x", Role = AccountRole.Supervisor, Region = "370406", Password = Password }, StatusCode.InvalidArgument),
            (new() { UserName = "short.password", Role = AccountRole.Supervisor, Region = "370406", Password = "1234567" }, StatusCode.InvalidArgument),
            (new() { UserName = "no.role", Region = "370406", Password = Password }, StatusCode.InvalidArgument),
            (new() { UserName = "bad.region", Role = AccountRole.Supervisor, Region = "99", Password = Password }, StatusCode.InvalidArgument),
            (new() { UserName = taken, Role = AccountRole.Supervisor, Region = "370406", Password = Password }, StatusCode.FailedPrecondition),
        };
        foreach (var (request, code) in cases)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => Accounts().CreateAccountAsync(request).ResponseAsync);
            Assert.True(refused.StatusCode == code, $"{request}: {refused.Status}");
        }
    }

    [Fact]
    public async Task Grpc_takes_no_session_cookie()
    {
        var user = await NewAccount("370406");
        using var browser = new ConsoleBrowser(fixture.JsonAddress);
        Assert.Equal(HttpStatusCode.OK, (await browser.SignIn(user, Password)).Status);
        var cookie = browser.SessionCookie(fixture.JsonAddress)!;

        var regions = new RegionService.RegionServiceClient(fixture.Channel);
        var refused = await Assert.ThrowsAsync<RpcException>(() => regions.GetRegionStatusAsync(
            new GetRegionStatusRequest { Name = "regions/370406" }, new Metadata { { "cookie", $"hazardgrid-session={cookie}" } }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }
}
