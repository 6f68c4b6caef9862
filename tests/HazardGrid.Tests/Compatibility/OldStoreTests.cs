using System.Collections;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace HazardGrid.Tests.Compatibility;

/// <summary>
/// Stores written by an older HazardGrid (commit 75a23bf; see Compatibility/OldStore/README.md)
/// still load: the current service, started as a real process on a copy of each store, serves
/// every recorded hazard, enterprise, notification and region figure as the old one answered
/// them, answers a retry of every recorded write with its first result, refuses a reused request
/// id, and takes new writes that move the figures by exactly what they change.
/// </summary>
public sealed class OldStoreTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string s_fixture = Path.Combine(AppContext.BaseDirectory, "Compatibility", "OldStore");

    // A one-rung ladder: every overdue hazard of the fixture has fired it, so nothing fires however
    // long after the fixture was written the test runs.
    private static readonly string[] s_ladder = ["--HazardGrid:Escalation:Ladder:0:Step=WarningLetter", "--HazardGrid:Escalation:Ladder:0:Days=0"];

    private readonly string _temp = Path.Combine(Path.GetTempPath(), "hazardgrid-oldstore-" + Guid.NewGuid().ToString("N"));
    private PostgresServer? _postgres;
    private string? _database;
    private SiloProcess? _silo;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_temp);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        if (_postgres is not null)
        {
            if (_database is not null)
            {
                await DropDatabase(_postgres, _database);
            }

            await _postgres.DisposeAsync();
        }

        Directory.Delete(_temp, recursive: true);
    }

    [Fact]
    public async Task An_SQLite_store_written_by_the_old_layout_still_loads_answers_retries_and_takes_new_writes()
    {
        var data = Path.Combine(_temp, "data");
        Directory.CreateDirectory(data);
        File.Copy(Path.Combine(s_fixture, "hazardgrid.db"), Path.Combine(data, "hazardgrid.db"));
        _silo = await SiloProcess.StartAsync(data, s_ladder);
        await CheckOldStore(_silo, Manifest.Load(Path.Combine(s_fixture, "manifest-sqlite.json")));
    }

    [Fact]
    public async Task A_PostgreSQL_store_written_by_the_old_layout_still_loads_answers_retries_and_takes_new_writes()
    {
        _postgres = await PostgresServer.StartAsync();
        _database = await _postgres.CreateDatabaseAsync();
        await LoadDump(_database, Path.Combine(s_fixture, "oldstore-postgresql.sql"));
        _silo = await SiloProcess.StartAsync(string.Empty, ["--HazardGrid:Mode=PostgreSql", $"--ConnectionStrings:HazardGrid={_database}", .. s_ladder]);
        await CheckOldStore(_silo, Manifest.Load(Path.Combine(s_fixture, "manifest-postgresql.json")));
    }

    private async Task CheckOldStore(SiloProcess silo, Manifest manifest)
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{silo.GrpcPort}");
        var invoker = channel.CreateCallInvoker(); // the recorded writes, each with its system's credential (Call)
        var reader = channel.WithToken(TestTokens.Mint("supervisor", TestTokens.Province, "old-store-reader"));
        var enterprises = new EnterpriseService.EnterpriseServiceClient(reader);
        var hazards = new HazardService.HazardServiceClient(reader);
        var regions = new RegionService.RegionServiceClient(reader);
        var clock = Stopwatch.StartNew();

        // A silo wakes the whole region tree at start (every town reads its ledger): wait for it.
        await Until("the service answers", async () =>
        {
            try
            {
                await regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" }, deadline: DateTime.UtcNow.AddSeconds(30));
                return true;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                return false;
            }
        }, TimeSpan.FromMinutes(5));
        output.WriteLine($"service ready after {clock.Elapsed.TotalSeconds:F1} s");

        // 1. Everything recorded reads back as the old service answered it.
        await ExpectRecordedState(manifest, enterprises, hazards, regions);
        output.WriteLine($"recorded state matches after {clock.Elapsed.TotalSeconds:F1} s");

        // 2. A retry of every recorded write (same request id, same content, same system) answers
        // its recorded result and changes nothing. The answer is the stored first result, so all of
        // it is compared, this month's and this year's figures too (a registration's answer holds
        // the enterprise's figures of then).
        foreach (var step in manifest.Steps)
        {
            var answer = await Call(invoker, step.Rpc, step.SystemId, step.Request);
            AssertSame(step.Response, answer, $"retry of {step.Rpc} {RequestId(step.Request)}", calendar: false);
        }

        await ExpectRecordedState(manifest, enterprises, hazards, regions);

        // 3. A recorded request id reused with other content changes nothing. The old layout stored
        // a fingerprint text that the current code no longer computes (it hashes the request
        // message), so for those ids the id alone decides: the first answer comes back. Request ids
        // written by the current code are refused when reused for other content (below, and in
        // GrpcApi/IdempotencyTests).
        await ExpectFirstAnswer(invoker, manifest.Step("fx-e1-h2-report"), r => ((ReportHazardRequest)r).Hazard.Criterion += " (另一处)");
        await ExpectFirstAnswer(invoker, manifest.Step("fx-e1-h1-30-progress"), r => ((RecordProgressRequest)r).ProgressPercent = 35);
        await ExpectFirstAnswer(invoker, manifest.Step("fx-e1-h4-regulator-confirm"), r => ((ConfirmRectificationRequest)r).Confirmation.Name = "另一位监管");
        await ExpectFirstAnswer(invoker, manifest.Step("fx-e2-register"), r => ((RegisterEnterpriseRequest)r).Enterprise.DisplayName += "（分厂）");
        await ExpectFirstAnswer(invoker, manifest.Step("fx-e2-accident"), r => ((ReportFatalAccidentRequest)r).Accident.Deaths = 2);
        foreach (var recorded in manifest.Hazards)
        {
            Assert.Equal(recorded.Version, (await hazards.GetHazardAsync(new GetHazardRequest { Name = recorded.Name })).Version);
        }

        // 4. New writes on the old store: a rectifying hazard of the big town finishes and goes to
        // verification, and a new hazard is reported there. The town and everything above it move
        // by exactly that; the other regions do not move.
        var report = (ReportHazardRequest)manifest.Step("fx-e1-h12-report").Request;
        var moved = manifest.HazardNamed(((ReportHazardResponse)manifest.Step("fx-e1-h12-report").Response).Hazard.Name);
        const string systemId = "old-store-test";
        await Call(invoker, "hazardgrid.v1.HazardService/RecordProgress", systemId, new RecordProgressRequest { Name = moved.Name, ProgressPercent = 100, Note = "完成 100%", RequestId = "oldstore-test-progress" });
        var submitted = (Hazard)await Call(invoker, "hazardgrid.v1.HazardService/SubmitForVerification", systemId, new SubmitForVerificationRequest { Name = moved.Name, Note = "整改完成", RequestId = "oldstore-test-submit" });
        var reused = await Assert.ThrowsAsync<RpcException>(() => Call(invoker, "hazardgrid.v1.HazardService/SubmitForVerification", systemId, new SubmitForVerificationRequest { Name = moved.Name, Note = "另一个说明", RequestId = "oldstore-test-submit" }));
        Assert.Equal(StatusCode.InvalidArgument, reused.StatusCode);
        Assert.Equal(HazardState.AwaitingVerification, submitted.State);
        Assert.Equal(moved.Version + 2, submitted.Version);
        var after = await hazards.GetHazardAsync(new GetHazardRequest { Name = moved.Name });
        Assert.Equal(moved.Trail.Count + 2, after.Trail.Count);
        AssertSame(Scrubbed(moved).Trail, Scrubbed(after).Trail.Take(moved.Trail.Count), $"{moved.Name}: the old trail, kept");

        var added = (ReportHazardResponse)await Call(invoker, "hazardgrid.v1.HazardService/ReportHazard", systemId, new ReportHazardRequest
        {
            Parent = report.Parent,
            Hazard = new NewHazard
            {
                Channel = ReportChannel.SelfReport,
                Sector = Sector.Chemicals,
                Criterion = "AQ 3035-2022 4.9",
                Location = "新建 罐区 T-205",
                Description = "新建罐区未设置紧急切断阀",
                FoundTime = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(-1)),
            },
            RequestId = "oldstore-test-report",
        });
        Assert.True(added.Created);
        var numbers = manifest.Hazards.Where(h => h.Name.StartsWith(report.Parent + "/", StringComparison.Ordinal)).Count();
        Assert.Equal($"{report.Parent}/hazards/{numbers + 1}", added.Hazard.Name); // numbering continues from the old store

        foreach (var recorded in manifest.Regions.Where(r => r.Name is "regions/370406101" or "regions/370406" or "regions/3704" or "regions/37"))
        {
            var expected = Scrubbed(recorded.Figures);
            expected.Open += 1;
            expected.Registered += 1;
            expected.OpenIncrement += 1;
            expected.AtCountyLevel += 1;
            expected.BySector.Single(s => s.Sector == Sector.Chemicals).Open += 1;
            expected.Rectifying -= 1;
            expected.AwaitingVerification += 1;
            await ExpectFigures(regions, recorded.Name, expected);
        }

        foreach (var recorded in manifest.Regions.Where(r => r.Name is "regions/370406001" or "regions/370102001" or "regions/370102" or "regions/3701"))
        {
            await ExpectFigures(regions, recorded.Name, Scrubbed(recorded.Figures));
        }

        // An enterprise registered in a batch by the old service updates its profile: its state,
        // with the old request records in it, is written again by the current code.
        var registration = manifest.Steps.Select(s => s.Request).OfType<BatchRegisterEnterprisesRequest>().SelectMany(b => b.Requests).Single(r => r.RequestId == "fx-e3-register");
        var profile = registration.Enterprise.Clone();
        profile.SafetyDirector = new Person { Name = "韩安全", Phone = "13905370023" };
        var updated = (Api.V1.Enterprise)await Call(invoker, "hazardgrid.v1.EnterpriseService/RegisterEnterprise", systemId, new RegisterEnterpriseRequest { Enterprise = profile, RequestId = "oldstore-test-register" });
        var before = manifest.Enterprises.Single(e => e.CreditCode == profile.CreditCode);
        Assert.Equal("韩安全", updated.SafetyDirector.Name);
        Assert.Equal(before.RegisterTime, updated.RegisterTime);
        Assert.True(updated.UpdateTime.ToDateTime() > before.UpdateTime.ToDateTime());

        // 5. Grains rewritten by the current code (the hazard moved on, the enterprise updated, the
        // towns' ledgers) still answer every old request id with its first result, and change nothing.
        foreach (var step in manifest.Steps)
        {
            var answer = await Call(invoker, step.Rpc, step.SystemId, step.Request);
            AssertSame(step.Response, answer, $"retry after new writes of {step.Rpc} {RequestId(step.Request)}", calendar: false);
        }

        Assert.Equal(moved.Version + 2, (await hazards.GetHazardAsync(new GetHazardRequest { Name = moved.Name })).Version);
        AssertSame(updated, await enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = updated.Name }), $"{updated.Name} after the retries");

        output.WriteLine($"done after {clock.Elapsed.TotalSeconds:F1} s: {manifest.Steps.Count} recorded writes retried twice, {manifest.Hazards.Count} hazards, {manifest.Enterprises.Count} enterprises, {manifest.Regions.Count} regions compared");
    }

    /// <summary>Every region (waiting for figures to travel up), hazard, enterprise, notification
    /// list and the province's watch list equal the recorded ones.</summary>
    private static async Task ExpectRecordedState(Manifest manifest, EnterpriseService.EnterpriseServiceClient enterprises, HazardService.HazardServiceClient hazards, RegionService.RegionServiceClient regions)
    {
        foreach (var recorded in manifest.Regions)
        {
            var expected = Scrubbed(recorded);
            RegionStatus? actual = null;
            await Until($"{recorded.Name} shows the recorded status", async () =>
            {
                actual = Scrubbed(await regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = recorded.Name }));
                return actual.Equals(expected);
            }, TimeSpan.FromSeconds(60), orElse: () => AssertSame(expected, actual!, recorded.Name));
        }

        foreach (var recorded in manifest.Hazards)
        {
            AssertSame(recorded, await hazards.GetHazardAsync(new GetHazardRequest { Name = recorded.Name }), recorded.Name);
        }

        foreach (var recorded in manifest.Enterprises)
        {
            AssertSame(recorded, await enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = recorded.Name }), recorded.Name);
        }

        foreach (var (parent, recorded) in manifest.Notifications)
        {
            AssertSame(recorded, await enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = parent }), $"notifications of {parent}");
        }

        AssertSame(manifest.WatchList, await regions.ListWatchListAsync(new ListWatchListRequest { Parent = "regions/37" }), "the province's watch list");
    }

    private static async Task ExpectFirstAnswer(CallInvoker invoker, RecordedWrite step, Action<IMessage> change)
    {
        var request = step.Request.Descriptor.Parser.ParseFrom(step.Request.ToByteString());
        change(request);
        AssertSame(step.Response, await Call(invoker, step.Rpc, step.SystemId, request), $"{step.Rpc} reusing {RequestId(step.Request)} for other content", calendar: false);
    }

    private static async Task ExpectFigures(RegionService.RegionServiceClient regions, string name, HazardFigures expected)
    {
        HazardFigures? actual = null;
        await Until($"{name} shows the new writes", async () =>
        {
            actual = Scrubbed((await regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = name })).Figures);
            return actual.Equals(expected);
        }, TimeSpan.FromSeconds(30), orElse: () => AssertSame(expected, actual!, name));
    }

    // ---- Comparing: proto messages by their fields, without those that may not stay the same ----

    /// <summary>Fields left out of every comparison: strings another branch turns into enums, and
    /// what the store does not hold (the time of a reading, the province's in-memory feed of
    /// direct reports).</summary>
    private static readonly HashSet<string> s_leftOut =
    [
        "hazardgrid.v1.RegionStatus.level", "hazardgrid.v1.DirectReport.kind", "hazardgrid.v1.Notification.kind",
        "hazardgrid.v1.Notification.recipient_role", "hazardgrid.v1.Escalation.trigger", "hazardgrid.v1.EscalationEvent.trigger",
        "hazardgrid.v1.TrailEntry.action", "hazardgrid.v1.RegionStatus.as_of", "hazardgrid.v1.RegionStatus.direct_reports",
    ];

    /// <summary>A copy without the left-out fields and, unless <paramref name="calendar"/> is false,
    /// without the figures that move with the calendar (<c>*_this_month</c>, <c>*_this_year</c>).</summary>
    private static T Scrubbed<T>(T message, bool calendar = true) where T : IMessage
    {
        var copy = (T)message.Descriptor.Parser.ParseFrom(message.ToByteString());
        Scrub(copy, calendar);
        return copy;
    }

    private static void Scrub(IMessage message, bool calendar)
    {
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            if (s_leftOut.Contains(field.FullName) || (calendar && (field.Name.EndsWith("_this_month", StringComparison.Ordinal) || field.Name.EndsWith("_this_year", StringComparison.Ordinal))))
            {
                field.Accessor.Clear(message);
            }
            else if (field.FieldType == FieldType.Message && field.IsRepeated)
            {
                foreach (IMessage item in (IList)field.Accessor.GetValue(message))
                {
                    Scrub(item, calendar);
                }
            }
            else if (field.FieldType == FieldType.Message && field.Accessor.GetValue(message) is IMessage child)
            {
                Scrub(child, calendar);
            }
        }
    }

    private static void AssertSame(IMessage expected, IMessage actual, string what, bool calendar = true)
    {
        var (e, a) = (Scrubbed(expected, calendar), Scrubbed(actual, calendar));
        if (!e.Equals(a))
        {
            Assert.Fail($"{what}:\n expected {e}\n actual   {a}");
        }
    }

    private static void AssertSame<T>(IEnumerable<T> expected, IEnumerable<T> actual, string what) where T : IMessage
    {
        var (e, a) = (expected.ToList(), actual.ToList());
        Assert.True(e.SequenceEqual(a), $"{what}:\n expected [{string.Join(", ", e)}]\n actual   [{string.Join(", ", a)}]");
    }

    // ---- Calling any recorded rpc by its name ----

    private static async Task<IMessage> Call(CallInvoker invoker, string rpc, string systemId, IMessage request)
    {
        var method = Rpc(rpc);
        var call = new Method<IMessage, IMessage>(MethodType.Unary, method.Service.FullName, method.Name, Marshal(method.InputType), Marshal(method.OutputType));
        // The recorded system, now as the subject of a province-wide credential (a supervisor's for the supervisor decisions).
        var role = method.Name is "ExtendDeadline" or "RaiseSupervisionLevel" ? "supervisor" : "system";
        var token = TestTokens.Mint(role, TestTokens.Province, systemId);
        return await invoker.AsyncUnaryCall(call, null, new CallOptions(TestTokens.Bearer(token), DateTime.UtcNow.AddSeconds(30)), request);
    }

    private static MethodDescriptor Rpc(string rpc)
    {
        var slash = rpc.LastIndexOf('/');
        return HazardgridReflection.Descriptor.Services.Single(s => s.FullName == rpc[..slash]).FindMethodByName(rpc[(slash + 1)..])
            ?? throw new InvalidOperationException($"no rpc {rpc}");
    }

    private static Marshaller<IMessage> Marshal(MessageDescriptor type) => Marshallers.Create<IMessage>(m => m.ToByteArray(), b => type.Parser.ParseFrom(b));

    private static string RequestId(IMessage request) =>
        request.Descriptor.FindFieldByName("request_id")?.Accessor.GetValue(request) as string ?? "(batch)";

    // ---- The stores ----

    /// <summary>Loads the plain-SQL dump with psql (it holds COPY blocks). The <c>\restrict</c>
    /// guard lines of newer pg_dump are dropped, so an older psql loads it too.</summary>
    private async Task LoadDump(string connectionString, string dump)
    {
        var script = Path.Combine(_temp, "oldstore-postgresql.sql");
        await File.WriteAllLinesAsync(script, (await File.ReadAllLinesAsync(dump)).Where(l => !l.StartsWith("\\restrict", StringComparison.Ordinal) && !l.StartsWith("\\unrestrict", StringComparison.Ordinal)));
        var c = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", script, $"host={c.Host} port={c.Port} user={c.Username} dbname={c.Database}" })
        {
            start.ArgumentList.Add(argument);
        }

        if (c.Password is { Length: > 0 } password)
        {
            start.Environment["PGPASSWORD"] = password;
        }

        Process psql;
        try
        {
            psql = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("The PostgreSQL old-store test loads its dump with psql: install PostgreSQL's client (Debian's postgresql package has it).", ex);
        }

        using var _ = psql;
        var stdout = psql.StandardOutput.ReadToEndAsync();
        var stderr = psql.StandardError.ReadToEndAsync();
        await psql.WaitForExitAsync();
        Assert.True(psql.ExitCode == 0, $"psql could not load the dump ({psql.ExitCode}): {await stdout}{await stderr}");
    }

    private static async Task DropDatabase(PostgresServer server, string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(server.AdminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(connectionString).Database}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // a private server is deleted whole just after
        }
    }

    private static async Task Until(string what, Func<Task<bool>> condition, TimeSpan within, Action? orElse = null)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                orElse?.Invoke();
                Assert.Fail($"gave up waiting until {what}");
            }

            await Task.Delay(250);
        }
    }

    // ---- The manifest ----

    private sealed record RecordedWrite(string Rpc, string SystemId, IMessage Request, IMessage Response);

    /// <summary>What the old service answered: the manifest the fixture writer recorded, in proto JSON.</summary>
    private sealed record Manifest(
        IReadOnlyList<RecordedWrite> Steps,
        IReadOnlyList<Api.V1.Enterprise> Enterprises,
        IReadOnlyList<Hazard> Hazards,
        IReadOnlyDictionary<string, ListNotificationsResponse> Notifications,
        IReadOnlyList<RegionStatus> Regions,
        ListWatchListResponse WatchList)
    {
        // Fields another branch turns from strings into enums: dropped before parsing, so the
        // recorded strings never have to parse as enum values (they are not compared anyway).
        private static readonly HashSet<string> s_renamed = ["level", "kind", "recipient_role", "trigger", "action"];
        private static readonly JsonParser s_parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

        // Enum values recorded before the proto prefixed every value with its enum's name
        // (CHEMICALS became SECTOR_CHEMICALS): the same numbers, so the recorded JSON reads as
        // the new names. Only the enums of fields still compared; their old names are unique.
        private static readonly Dictionary<string, string> s_enumRenames = new[] { "Sector", "ReportChannel", "HazardState", "SupervisionLevel", "EscalationStep", "ConfirmingParty" }
            .Select(name => HazardgridReflection.Descriptor.EnumTypes.Single(e => e.Name == name))
            .SelectMany(e => e.Values.Where(v => v.Number != 0).Select(v => (Old: v.Name[(ScreamingSnake(e.Name).Length + 1)..], New: v.Name)))
            .ToDictionary(r => r.Old, r => r.New);

        private static string ScreamingSnake(string name) =>
            string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString()));

        public static Manifest Load(string path)
        {
            var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            var final = root["final"]!.AsObject();
            return new Manifest(
                [.. root["steps"]!.AsArray().Select(s =>
                {
                    var rpc = Rpc((string)s!["rpc"]!);
                    return new RecordedWrite((string)s["rpc"]!, (string)s["system_id"]!, Parse(s["request"]!, rpc.InputType), Parse(s["response"]!, rpc.OutputType));
                })],
                [.. final["enterprises"]!.AsArray().Select(e => (Api.V1.Enterprise)Parse(e!, Api.V1.Enterprise.Descriptor))],
                [.. final["hazards"]!.AsArray().Select(h => (Hazard)Parse(h!, Hazard.Descriptor))],
                final["notifications"]!.AsObject().ToDictionary(n => n.Key, n => (ListNotificationsResponse)Parse(n.Value!, ListNotificationsResponse.Descriptor)),
                [.. final["regions"]!.AsArray().Select(r => (RegionStatus)Parse(r!, RegionStatus.Descriptor))],
                (ListWatchListResponse)Parse(final["province_watch_list"]!, ListWatchListResponse.Descriptor));
        }

        public RecordedWrite Step(string requestId) => Steps.Single(s => RequestId(s.Request) == requestId);

        public Hazard HazardNamed(string name) => Hazards.Single(h => h.Name == name);

        private static IMessage Parse(JsonNode node, MessageDescriptor type)
        {
            var copy = node.DeepClone();
            Drop(copy);
            return s_parser.Parse(copy.ToJsonString(), type);
        }

        private static void Drop(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var key in o.Select(p => p.Key).Where(s_renamed.Contains).ToList())
                    {
                        o.Remove(key);
                    }

                    foreach (var (key, value) in o.ToList())
                    {
                        if (value is JsonValue v && v.TryGetValue<string>(out var text) && s_enumRenames.TryGetValue(text, out var renamed))
                        {
                            o[key] = renamed;
                        }

                        Drop(o[key]);
                    }

                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        if (a[i] is JsonValue v && v.TryGetValue<string>(out var text) && s_enumRenames.TryGetValue(text, out var renamed))
                        {
                            a[i] = renamed;
                        }

                        Drop(a[i]);
                    }

                    break;
            }
        }
    }
}
