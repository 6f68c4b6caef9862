// The province simulator: generates Shandong's enterprises and major hazards from a seed and
// pushes them through a running HazardGrid's gRPC API as the city and county systems would,
// then checks the province figures against its own count.
//
//   dotnet run -c Release --project src/Simulator -- [--target http://127.0.0.1:5100] [--seed 1]
//       [--enterprises 1000000] [--hazards 200000] [--concurrency 64] [--anchor 2026-11-24T08:00:00Z]
//       [--live-seconds 30] (--token TOKEN | --signing-key-file FILE | --signing-key BASE64) [--key-id embedded]
//
// Credentials: --token presents one province-wide system token on every call (mint it with
// `dotnet run --project src/Silo -- token --role system --region 37`; or set HAZARDGRID_TOKEN); with a
// signing key (the embedded service's src/Silo/data/signing-key, id "embedded", or a configured one)
// each county system presents a token of its own county, as the real systems would.
//
// After the load comes a steady live mix for --live-seconds: status queries, new reports,
// progress and closures, with their rates and the query latency in the summary.
//
// Rewarded tips (有奖举报) go with the load at 004's rates (see ProvinceModel.TipShare): received,
// verified as hazards (registered through VerifyTip) or violations, rewarded and paid, dismissed.
//
// Every write is derived from the seed and the anchor (printed at start), so an interrupted run
// resumed with the same --seed and --anchor repeats its requests exactly and duplicates nothing.
using System.Diagnostics;
using HazardGrid.Api.V1;
using HazardGrid.Simulator;

var options = SimulatorOptions.Parse(args);
var anchor = options.Anchor ?? DateTimeOffset.UtcNow;
var model = ProvinceModel.Generate(options.Seed, options.Enterprises, options.Hazards, anchor);
Console.WriteLine($"Simulating {options.Enterprises:N0} enterprises and {options.Hazards:N0} major hazards (seed {options.Seed}, anchor {anchor:O}) against {options.Target}, {options.Concurrency} calls in flight");

using var channel = LoadRunner.CreateChannel(options.Target);
var bar = new ProgressBar();
var systems = options.Systems();
var runner = new LoadRunner(channel.CreateCallInvoker(), model, options.Concurrency, anchor, systems, bar.Report);
var clock = Stopwatch.StartNew();
await runner.LoadAsync();
var loaded = clock.Elapsed;
var (calls, retries) = (runner.Stats.Calls, runner.Stats.Retries);
var live = options.LiveSeconds > 0 ? await runner.RunLiveAsync(TimeSpan.FromSeconds(options.LiveSeconds)) : new LiveOutcome();
var ran = clock.Elapsed;

var regions = new RegionService.RegionServiceClient(channel);
var expected = live.AddedTo(model.ExpectedProvince());
Expected actual;
do
{
    actual = Expected.Of((await regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" }, systems.Province())).Figures);
}
while (actual != expected && clock.Elapsed - ran < TimeSpan.FromMinutes(2) && await Delay());
var settled = clock.Elapsed;

Console.WriteLine();
Console.WriteLine($"Loaded in {loaded.TotalSeconds:F1} s: {calls:N0} calls ({calls / loaded.TotalSeconds:N0}/s), {retries:N0} retries, {runner.Stats.DuplicatesAbsorbed:N0} repeated findings absorbed.");
if (live.Elapsed > TimeSpan.Zero)
{
    Console.WriteLine($"Live mix for {live.Elapsed.TotalSeconds:F0} s: {live.Queries / live.Elapsed.TotalSeconds:N0} status queries/s (mean {live.QueryMilliseconds / Math.Max(1, live.Queries):F1} ms), {live.Writes / live.Elapsed.TotalSeconds:N0} writes/s; its hazards ended {live.Registered:N0} registered, {live.Rectifying:N0} rectifying, {live.Closed:N0} closed.");
}

Console.WriteLine($"Province figures settled {(settled - ran).TotalSeconds:F1} s after the last acknowledgement.");
Console.WriteLine();
Console.WriteLine("| figure | simulator | province | equal |");
Console.WriteLine("| --- | --- | --- | --- |");
foreach (var (label, mine, theirs) in Expected.Compare(expected, actual))
{
    Console.WriteLine($"| {label} | {mine:N0} | {theirs:N0} | {(mine == theirs ? "yes" : "NO")} |");
}

return actual == expected ? 0 : 1;

static async Task<bool> Delay()
{
    await Task.Delay(250);
    return true;
}

internal sealed record SimulatorOptions(string Target, int Seed, int Enterprises, int Hazards, int Concurrency, DateTimeOffset? Anchor, int LiveSeconds)
{
    public string? Token { get; init; } = Environment.GetEnvironmentVariable("HAZARDGRID_TOKEN");
    public string? SigningKey { get; init; }
    public string KeyId { get; init; } = "embedded";

    public SimulatedSystems Systems() =>
        SigningKey is { Length: > 0 } key ? SimulatedSystems.FromKey(new HazardGrid.Gateway.Security.SigningKeyOptions { Id = KeyId, Key = key })
        : Token is { Length: > 0 } token ? SimulatedSystems.FromToken(token)
        : throw new ArgumentException("no credential: pass --token (a province-wide system token), --signing-key-file or --signing-key; see the comment at the top of Program.cs");

    public static SimulatorOptions Parse(string[] args)
    {
        var options = new SimulatorOptions("http://127.0.0.1:5100", 1, 1_000_000, 200_000, 64, null, 30);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options = args[i] switch
            {
                "--target" => options with { Target = args[i + 1] },
                "--seed" => options with { Seed = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) },
                "--enterprises" => options with { Enterprises = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) },
                "--hazards" => options with { Hazards = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) },
                "--concurrency" => options with { Concurrency = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) },
                "--live-seconds" => options with { LiveSeconds = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) },
                "--token" => options with { Token = args[i + 1] },
                "--signing-key" => options with { SigningKey = args[i + 1] },
                "--signing-key-file" => options with { SigningKey = File.ReadAllText(args[i + 1]).Trim() },
                "--key-id" => options with { KeyId = args[i + 1] },
                "--anchor" => options with { Anchor = DateTimeOffset.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}; see the comment at the top of Program.cs"),
            };
        }

        return options;
    }
}
