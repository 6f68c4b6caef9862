using System.Globalization;
using HazardGrid.Gateway.Hosting;
using HazardGrid.Gateway.Security;
using HazardGrid.Regions;
using HazardGrid.Sectors;

namespace HazardGrid.Silo.Hosting;

/// <summary>
/// The embedded run's own signing key, and the service's <c>token</c> command. The one-command run
/// stays one command: at first start it creates a random key in its data directory (a file only
/// its user can read, reused on every restart), appended to any configured keys; the command
/// mints tokens with the same configuration and data directory the service reads.
/// </summary>
public static class Credentials
{
    public const string KeyFileName = "signing-key";
    public const string EmbeddedKeyId = "embedded";

    /// <summary>Adds the embedded key (created if missing) after the configured ones. Embedded mode only:
    /// a cluster's silos and gateways must share keys, so in PostgreSQL mode they are configured.</summary>
    public static void AddEmbeddedSigningKey(this ConfigurationManager configuration, ClusterSettings cluster, SiloHostOptions silo)
    {
        if (cluster.Mode != HazardGridMode.Embedded)
        {
            return;
        }

        var index = configuration.GetSection($"{AuthOptions.Section}:SigningKeys").GetChildren().Count();
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{AuthOptions.Section}:SigningKeys:{index}:Id"] = EmbeddedKeyId,
            [$"{AuthOptions.Section}:SigningKeys:{index}:Key"] = LoadOrCreateKey(Path.Combine(silo.DataDirectory, KeyFileName)),
        });
    }

    /// <summary>Keeps the keys that protect people's session cookies in the data directory (embedded
    /// mode, unless configured), so sessions survive a restart as the data does.</summary>
    public static void AddEmbeddedSessionKeys(this ConfigurationManager configuration, ClusterSettings cluster, SiloHostOptions silo)
    {
        var setting = $"{ConsoleOptions.Section}:{nameof(ConsoleOptions.KeysDirectory)}";
        if (cluster.Mode == HazardGridMode.Embedded && string.IsNullOrEmpty(configuration[setting]))
        {
            configuration.AddInMemoryCollection(new Dictionary<string, string?> { [setting] = Path.GetFullPath(Path.Combine(silo.DataDirectory, "session-keys")) });
        }
    }

    /// <summary>The key in <paramref name="path"/>, or a new random one written there with mode 0600.</summary>
    public static string LoadOrCreateKey(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var key = TokenIssuer.NewSecret();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var file = new StreamWriter(path, options);
            file.Write(key);
        }
        catch (IOException) when (File.Exists(path))
        {
            return File.ReadAllText(path).Trim(); // another process (the service, a token command) made it first
        }

        return key;
    }

    public const string Usage = "token --role system|supervisor|operator --region CODE [--office NAME] [--subject NAME] [--days N] [--key ID]";

    /// <summary>
    /// <c>token --role supervisor --region 3704 [--subject NAME] [--days N] [--key ID]</c>: prints a
    /// token signed with the configured keys (and, embedded, the data directory's key). Returns the exit code.
    /// </summary>
    public static int RunTokenCommand(IReadOnlyList<string> args, IConfiguration configuration)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            if (args[i] is ['-', '-', .. var name] && !name.Contains(':', StringComparison.Ordinal) && !name.Contains('=', StringComparison.Ordinal) && i + 1 < args.Count)
            {
                options[name] = args[++i];
            }
        }

        var role = options.GetValueOrDefault("role");
        var region = options.GetValueOrDefault("region");
        if (Caller.ParseRole(role) is null || region is null || !RegionCatalog.Shandong.TryGet(region, out _))
        {
            Console.Error.WriteLine($"usage: {Usage}");
            Console.Error.WriteLine("  --role is system, supervisor or operator; --region a division code (37, 3704, 370406, 370406001)");
            return 2;
        }

        var office = options.GetValueOrDefault("office");
        SectorOffices offices;
        try
        {
            offices = SectorOfficeSettings.Load(configuration);
        }
        catch (InvalidOperationException bad)
        {
            Console.Error.WriteLine(bad.Message);
            return 2;
        }

        if (SectorAccess.OfficeProblem(office, Caller.ParseRole(role), offices) is { } officeProblem)
        {
            Console.Error.WriteLine(officeProblem.Replace("the credential's 'office' claim", "--office", StringComparison.Ordinal));
            return 2;
        }

        var days = double.Parse(options.GetValueOrDefault("days", "30"), CultureInfo.InvariantCulture);
        var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        if (auth.Problems() is { Count: > 0 } problems)
        {
            Console.Error.WriteLine(string.Join(Environment.NewLine, problems));
            return 2;
        }

        Console.WriteLine(TokenIssuer.Mint(auth, options.GetValueOrDefault("subject", $"{role}-{region}"), role!, region, TimeSpan.FromDays(days), options.GetValueOrDefault("key"), office: office));
        return 0;
    }
}
