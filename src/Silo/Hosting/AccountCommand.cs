using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Gateway.Hosting;
using HazardGrid.Gateway.Security;

namespace HazardGrid.Silo.Hosting;

/// <summary>
/// The service's <c>account</c> command: a thin client of the running service's AccountService on
/// the local gRPC port (the one the same configuration makes the service listen on). It mints
/// itself a short-lived province operator token with the configured (embedded: the data
/// directory's) signing key, as the <c>token</c> command does: whoever can read that key can mint
/// any credential anyway. Passwords are read from stdin (<c>--password-stdin</c>) or prompted
/// without echo, never taken from the command line, where other users and shell histories see them.
/// </summary>
public static class AccountCommand
{
    public const string Usage = """
        account add --user NAME [--name DISPLAY] --role supervisor|operator --region CODE [--office NAME] [--password-stdin]
               account list
               account disable --user NAME
               account enable --user NAME
               account reset-password --user NAME [--password-stdin]
        """;

    private static readonly HashSet<string> s_flags = ["password-stdin"];

    /// <summary>Whether an argument is one of the command's flags, which take no value.</summary>
    public static bool IsFlag(string argument) => argument.StartsWith("--", StringComparison.Ordinal) && s_flags.Contains(argument[2..]);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, IConfiguration configuration)
    {
        var verb = args.Count > 1 ? args[1] : null;
        var options = Options(args);
        var user = options.GetValueOrDefault("user");
        if (verb is not ("add" or "list" or "disable" or "enable" or "reset-password") || (verb != "list" && string.IsNullOrWhiteSpace(user)))
        {
            return Fail($"usage: {Usage}");
        }

        var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        if (auth.Problems() is { Count: > 0 } problems)
        {
            return Fail(string.Join(Environment.NewLine, problems));
        }

        var endpoints = new EndpointOptions();
        configuration.GetSection(EndpointOptions.Section).Bind(endpoints);
        var token = TokenIssuer.Mint(auth, $"account-command:{Environment.UserName}", "operator", "37", TimeSpan.FromMinutes(5));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{endpoints.GrpcPort}");
        var accounts = new AccountService.AccountServiceClient(channel);
        var headers = new Metadata { { "authorization", $"Bearer {token}" } };
        try
        {
            switch (verb)
            {
                case "add":
                    var role = options.GetValueOrDefault("role") switch
                    {
                        "supervisor" => AccountRole.Supervisor,
                        "operator" => AccountRole.Operator,
                        _ => AccountRole.Unspecified,
                    };
                    if (role == AccountRole.Unspecified || options.GetValueOrDefault("region") is null)
                    {
                        return Fail($"usage: {Usage}\n  --role is supervisor or operator; --region a division code (37, 3704, 370406, 370406001)");
                    }

                    var password = ReadPassword(options);
                    if (password is null)
                    {
                        return Fail("no password: pipe it in with --password-stdin, or run the command in a terminal to be asked");
                    }

                    Print(await accounts.CreateAccountAsync(new CreateAccountRequest
                    {
                        UserName = user, DisplayName = options.GetValueOrDefault("name", ""), Role = role, Region = options["region"], Password = password,
                        Office = options.GetValueOrDefault("office", ""), // a sector office's supervisor (see README)
                    }, headers));
                    return 0;
                case "list":
                    foreach (var account in (await accounts.ListAccountsAsync(new ListAccountsRequest(), headers)).Accounts)
                    {
                        Print(account);
                    }

                    return 0;
                case "disable":
                    Print(await accounts.DisableAccountAsync(new AccountRequest { UserName = user }, headers));
                    return 0;
                case "enable":
                    Print(await accounts.EnableAccountAsync(new AccountRequest { UserName = user }, headers));
                    return 0;
                default:
                    var newPassword = ReadPassword(options);
                    if (newPassword is null)
                    {
                        return Fail("no password: pipe it in with --password-stdin, or run the command in a terminal to be asked");
                    }

                    Print(await accounts.ResetAccountPasswordAsync(new ResetAccountPasswordRequest { UserName = user, Password = newPassword }, headers));
                    return 0;
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            return Fail($"the service does not answer on 127.0.0.1:{endpoints.GrpcPort}: start it first (dotnet run --project src/Silo), with the same settings");
        }
        catch (RpcException e)
        {
            return Fail($"refused ({e.StatusCode}): {e.Status.Detail}", exitCode: 1);
        }
    }

    private static Dictionary<string, string> Options(IReadOnlyList<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 2; i < args.Count; i++)
        {
            // Settings (--HazardGrid:X=Y) are configuration's, not the command's.
            if (args[i] is ['-', '-', .. var name] && !name.Contains(':', StringComparison.Ordinal) && !name.Contains('=', StringComparison.Ordinal))
            {
                if (s_flags.Contains(name))
                {
                    options[name] = "true";
                }
                else if (i + 1 < args.Count)
                {
                    options[name] = args[++i];
                }
            }
        }

        return options;
    }

    /// <summary>The first line of stdin with <c>--password-stdin</c>; otherwise asked twice, without echo, in a terminal.</summary>
    private static string? ReadPassword(Dictionary<string, string> options)
    {
        if (options.ContainsKey("password-stdin"))
        {
            return Console.In.ReadLine()?.TrimEnd('\r', '\n');
        }

        if (Console.IsInputRedirected)
        {
            return null;
        }

        var first = Prompt("Password / 密码: ");
        if (first == Prompt("Again / 再次输入: "))
        {
            return first;
        }

        Console.Error.WriteLine("The two passwords differ. / 两次输入的密码不一致。");
        return null;
    }

    private static string Prompt(string label)
    {
        Console.Error.Write(label);
        var typed = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                typed.Length = Math.Max(0, typed.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return typed.ToString();
    }

    private static void Print(PersonAccount account)
    {
        var state = !account.Enabled ? "disabled"
            : account.LockedUntil is { } until && until.ToDateTimeOffset() > DateTimeOffset.UtcNow ? $"locked until {until.ToDateTimeOffset():u}"
            : "enabled";
        var role = account.Role == AccountRole.Operator ? "operator" : "supervisor";
        Console.WriteLine($"{account.UserName}\t{account.DisplayName}\t{role}\t{account.Region}{(account.Office.Length > 0 ? "/" + account.Office : "")}\t{state}");
    }

    private static int Fail(string message, int exitCode = 2)
    {
        Console.Error.WriteLine(message);
        return exitCode;
    }
}
