using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using HazardGrid.Api.V1;

namespace HazardGrid.Compatibility.OldStoreWriter;

/// <summary>
/// Drives the service through every kind of write the API has, in three towns of two cities, and
/// records each request with the answer it got; then reads back every enterprise, hazard (with its
/// trail), notification list and region status once the province shows the final figures.
/// </summary>
public sealed class FixtureWriter(string target)
{
    // 店子镇 (山亭区, 枣庄市) holds most hazards; 山城街道 is in the same county; 解放路街道 (历下区, 济南市) in another city.
    public const string BigTown = "370406101";
    public const string SameCountyTown = "370406001";
    public const string OtherCityTown = "370102001";
    public static readonly string[] Regions = [BigTown, SameCountyTown, OtherCityTown, "370406", "370102", "3704", "3701", "37"];

    private const string CountySystem = "shanting-county-system";
    private const string CitySystem = "zaozhuang-city-system";
    private const string JinanSystem = "lixia-county-system";

    private static readonly JsonFormatter s_json = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(target);
    private readonly JsonArray _steps = [];
    private readonly List<string> _enterprises = [];
    private readonly List<string> _hazards = [];
    private readonly JsonObject _final = [];

    public int StepCount => _steps.Count;

    public async Task WriteAsync()
    {
        // A silo wakes the whole region tree at start (1,853 towns reading their ledgers): wait for it.
        await Until("the service answers", async () =>
        {
            try
            {
                await new RegionService.RegionServiceClient(_channel).GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/37" }, deadline: DateTime.UtcNow.AddSeconds(30));
                return true;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                return false;
            }
        }, TimeSpan.FromMinutes(5));

        // ---- Enterprises: two single registrations, a batch of three, a profile update ----
        var e1 = Enterprise(71000001, BigTown, "枣庄鲁源化工有限公司", ("孙立民", "13905370001"), ("周建国", "13905370002"), Sector.Chemicals, Sector.IndustryTrade, Sector.DustExplosion);
        var e2 = Enterprise(71000002, BigTown, "山亭区店子镇金属制品厂", ("钱德福", "13905370011"), ("钱德福", "13905370011"), Sector.IndustryTrade, Sector.Gas);
        var e3 = Enterprise(71000003, SameCountyTown, "山城矿业有限公司", ("冯建军", "13905370021"), ("陈国强", "13905370022"), Sector.NonCoalMining, Sector.Chemicals);
        var e4 = Enterprise(71000004, OtherCityTown, "济南解放路建设集团有限公司", ("褚明", "13905310031"), ("卫东", "13905310032"), Sector.Construction, Sector.FireSafety);
        var e5 = Enterprise(71000005, BigTown, "店子镇冷链食品有限公司", ("蒋海", "13905370041"), ("沈涛", "13905370042"), Sector.AmmoniaRefrigeration, Sector.DustExplosion);
        await Write<Enterprise>(CountySystem, "EnterpriseService", "RegisterEnterprise", new RegisterEnterpriseRequest { Enterprise = e1, RequestId = "fx-e1-register" });
        await Write<Enterprise>(CountySystem, "EnterpriseService", "RegisterEnterprise", new RegisterEnterpriseRequest { Enterprise = e2, RequestId = "fx-e2-register" });
        var batch = new BatchRegisterEnterprisesRequest();
        batch.Requests.Add(new RegisterEnterpriseRequest { Enterprise = e3, RequestId = "fx-e3-register" });
        batch.Requests.Add(new RegisterEnterpriseRequest { Enterprise = e4, RequestId = "fx-e4-register" });
        batch.Requests.Add(new RegisterEnterpriseRequest { Enterprise = e5, RequestId = "fx-e5-register" });
        await Write<BatchRegisterEnterprisesResponse>(CitySystem, "EnterpriseService", "BatchRegisterEnterprises", batch);
        var e1Updated = e1.Clone();
        e1Updated.DisplayName = "枣庄鲁源精细化工有限公司";
        e1Updated.SafetyDirector = new Person { Name = "吴安全", Phone = "13905370003" };
        await Write<Enterprise>(CountySystem, "EnterpriseService", "RegisterEnterprise", new RegisterEnterpriseRequest { Enterprise = e1Updated, RequestId = "fx-e1-update" });
        _enterprises.AddRange([e1.CreditCode, e2.CreditCode, e3.CreditCode, e4.CreditCode, e5.CreditCode]);

        // ---- 店子镇: 22 hazards through every channel, stock and increment, in every state ----
        var h1 = await Report(CitySystem, e1, "e1-h1", Finding(ReportChannel.Inspection, Sector.Chemicals, "AQ 3035-2022 4.1.2", "甲类罐区 T-101", Day(2023, 5, 10), SupervisionLevel.City));
        await Start(CountySystem, h1, "e1-h1", Day(2029, 6, 30));
        await Progress(CountySystem, h1, "e1-h1-30", 30);
        await Write<Hazard>(CitySystem, "HazardService", "RaiseSupervisionLevel", new RaiseSupervisionLevelRequest { Name = h1, Reason = "整改进度滞后，提级督办", DecidedBy = "枣庄市应急管理局 刘处长", RequestId = "fx-e1-h1-raise" });

        var h2Finding = Finding(ReportChannel.SelfReport, Sector.Chemicals, "GB 50160-2008 5.2.1", "二车间 反应釜区", Day(2025, 3, 18));
        var h2 = await Report(CountySystem, e1, "e1-h2", h2Finding);
        var again = h2Finding.Clone();
        again.Channel = ReportChannel.VerifiedTip;
        again.Description = "群众举报：二车间反应釜区防火间距不足";
        var repeat = await Write<ReportHazardResponse>(CountySystem, "HazardService", "ReportHazard", new ReportHazardRequest { Parent = Parent(e1), Hazard = again, RequestId = "fx-e1-h2-tip" });
        Check(!repeat.Created && repeat.Hazard.Name == h2, "the tip should land on the open record of the same finding");

        var h3 = await Report(CitySystem, e1, "e1-h3", Finding(ReportChannel.ExpertDiagnosis, Sector.DustExplosion, "AQ 4273-2016 6.3", "抛光车间 除尘系统", Day(2024, 8, 6), SupervisionLevel.Province));
        await Start(CountySystem, h3, "e1-h3", Day(2029, 3, 31));
        await Write<Hazard>(CitySystem, "HazardService", "ExtendDeadline", new ExtendDeadlineRequest { Name = h3, Deadline = Day(2029, 9, 30), Reason = "设备采购周期长", DecidedBy = "山东省应急管理厅 王处长", RequestId = "fx-e1-h3-extend" });

        var h4 = await Report(CountySystem, e1, "e1-h4", Finding(ReportChannel.Inspection, Sector.IndustryTrade, "工贸判定标准 第四条(二)", "机修车间 行车", Day(2022, 11, 2), SupervisionLevel.County));
        await Start(CountySystem, h4, "e1-h4", Day(2029, 5, 31));
        await Progress(CountySystem, h4, "e1-h4-100", 100);
        await Write<Hazard>(CountySystem, "HazardService", "SubmitForVerification", new SubmitForVerificationRequest { Name = h4, Note = "已更换制动器", RequestId = "fx-e1-h4-submit" });
        await Confirm(CountySystem, h4, "e1-h4-regulator", ConfirmingParty.Regulator, "赵监管");

        var h5 = await Report(CountySystem, e1, "e1-h5", Finding(ReportChannel.SelfReport, Sector.Chemicals, "AQ 3035-2022 5.4", "装卸站台 鹤管", Day(2025, 9, 1)));
        await Start(CountySystem, h5, "e1-h5", Day(2029, 1, 31));
        await Write<Hazard>(CountySystem, "HazardService", "SubmitForVerification", new SubmitForVerificationRequest { Name = h5, Note = "整改完成", RequestId = "fx-e1-h5-submit" });
        await Confirm(CountySystem, h5, "e1-h5-regulator", ConfirmingParty.Regulator, "赵监管");
        await Confirm(CountySystem, h5, "e1-h5-expert", ConfirmingParty.Expert, "钱专家");
        await Close(CountySystem, h5, "e1-h5", (ConfirmingParty.Principal, "孙立民"));

        var h6 = await Report(CountySystem, e1, "e1-h6", Finding(ReportChannel.VerifiedTip, Sector.DustExplosion, "AQ 4273-2016 5.1", "打磨工位", Day(2023, 12, 20)));
        await Start(CountySystem, h6, "e1-h6", Day(2029, 2, 28));
        await Write<Hazard>(CountySystem, "HazardService", "SubmitForVerification", new SubmitForVerificationRequest { Name = h6, Note = "整改完成", RequestId = "fx-e1-h6-submit" });
        await Close(CountySystem, h6, "e1-h6", (ConfirmingParty.Regulator, "赵监管"), (ConfirmingParty.Expert, "孙专家"), (ConfirmingParty.Principal, "孙立民"));

        var h7 = await Report(CountySystem, e1, "e1-h7", Finding(ReportChannel.Inspection, Sector.Chemicals, "AQ 3035-2022 4.3", "液氯钢瓶库", Day(2026, 10, 10), SupervisionLevel.County));

        var h8 = await Report(CountySystem, e1, "e1-h8", Finding(ReportChannel.SelfReport, Sector.IndustryTrade, "工贸判定标准 第二条(一)", "冲压车间", Day(2026, 1, 12)));
        await Write<Hazard>(CountySystem, "HazardService", "WithdrawHazard", new WithdrawHazardRequest { Name = h8, Reason = "重复录入", RequestId = "fx-e1-h8-withdraw" });

        var h9 = await Report(CitySystem, e1, "e1-h9", Finding(ReportChannel.Inspection, Sector.Chemicals, "AQ 3035-2022 6.2", "导热油炉房", Day(2023, 2, 14), SupervisionLevel.City));
        await Write<Hazard>(CitySystem, "HazardService", "WithdrawHazard", new WithdrawHazardRequest { Name = h9, Reason = "经专家复核不构成重大事故隐患", Invalid = true, RequestId = "fx-e1-h9-invalid" });

        var h10 = await Report(CountySystem, e1, "e1-h10", Finding(ReportChannel.SelfReport, Sector.Chemicals, "GB 50493-2019 4.1", "可燃气体报警仪", Day(2024, 2, 5)));
        await Start(CountySystem, h10, "e1-h10", Day(2029, 4, 30));
        await Progress(CountySystem, h10, "e1-h10-60", 60);
        await Write<Hazard>(CountySystem, "HazardService", "SubmitForVerification", new SubmitForVerificationRequest { Name = h10, Note = "报警仪已安装", RequestId = "fx-e1-h10-submit" });
        await Write<Hazard>(CountySystem, "HazardService", "ReturnForRectification", new ReturnForRectificationRequest { Name = h10, Reason = "报警仪未接入控制室", RequestId = "fx-e1-h10-return" });

        await Report(CountySystem, e1, "e1-h11", Finding(ReportChannel.SelfReport, Sector.Chemicals, "AQ 3035-2022 4.5", "循环水泵房", Day(2026, 4, 22)));
        var h12 = await Report(CitySystem, e1, "e1-h12", Finding(ReportChannel.Inspection, Sector.DustExplosion, "AQ 4273-2016 7.2", "铝粉仓", Day(2023, 6, 30), SupervisionLevel.City));
        await Start(CitySystem, h12, "e1-h12", Day(2029, 7, 31));
        await Progress(CitySystem, h12, "e1-h12-10", 10);

        // e2: four hazards that go overdue (more than three: the watch list), one registered, one for the batch.
        var overdue = new List<string> { h7 };
        for (var i = 1; i <= 4; i++)
        {
            overdue.Add(await Report(i % 2 == 0 ? CountySystem : CitySystem, e2, $"e2-h{i}", Finding(
                i % 2 == 0 ? ReportChannel.SelfReport : ReportChannel.Inspection, Sector.IndustryTrade, $"工贸判定标准 第三条({i})", $"熔炼车间 {i} 号炉",
                Day(2024 + (i % 3), i, 10 + i), i % 2 == 0 ? SupervisionLevel.Unspecified : SupervisionLevel.County)));
        }

        await Report(CountySystem, e2, "e2-h5", Finding(ReportChannel.SelfReport, Sector.Gas, "燃气判定标准 第五条", "食堂 燃气管道", Day(2021, 7, 19)));
        var e2h6 = await Report(CitySystem, e2, "e2-h6", Finding(ReportChannel.Inspection, Sector.Gas, "燃气判定标准 第七条", "调压箱", Day(2025, 5, 8), SupervisionLevel.City));

        // e5: four hazards, all moved on by one county-system batch below but the last.
        var e5h1 = await Report(CountySystem, e5, "e5-h1", Finding(ReportChannel.ExpertDiagnosis, Sector.AmmoniaRefrigeration, "涉氨制冷 第二条", "氨机房", Day(2022, 3, 15), SupervisionLevel.County));
        var e5h2 = await Report(CitySystem, e5, "e5-h2", Finding(ReportChannel.Inspection, Sector.DustExplosion, "AQ 4273-2016 6.1", "面粉筒仓", Day(2025, 11, 3), SupervisionLevel.Province));
        var e5h3 = await Report(CountySystem, e5, "e5-h3", Finding(ReportChannel.VerifiedTip, Sector.DustExplosion, "AQ 4273-2016 8.1", "包装车间", Day(2023, 8, 9)));
        await Report(CountySystem, e5, "e5-h4", Finding(ReportChannel.SelfReport, Sector.AmmoniaRefrigeration, "涉氨制冷 第四条", "速冻库", Day(2026, 6, 1)));

        var updates = new BatchUpdateHazardsRequest();
        updates.Updates.Add(new HazardUpdate { StartRectification = StartRequest(e2h6, "fx-batch-e2-h6-start", Day(2029, 8, 31)) });
        updates.Updates.Add(new HazardUpdate { StartRectification = StartRequest(e5h1, "fx-batch-e5-h1-start", Day(2029, 3, 15)) });
        updates.Updates.Add(new HazardUpdate { RecordProgress = new RecordProgressRequest { Name = e2h6, ProgressPercent = 50, Note = "完成 50%", RequestId = "fx-batch-e2-h6-50" } });
        updates.Updates.Add(new HazardUpdate { RecordProgress = new RecordProgressRequest { Name = e5h1, ProgressPercent = 100, Note = "完成 100%", RequestId = "fx-batch-e5-h1-100" } });
        updates.Updates.Add(new HazardUpdate { SubmitForVerification = new SubmitForVerificationRequest { Name = e5h1, Note = "已加装氨泄漏报警", RequestId = "fx-batch-e5-h1-submit" } });
        updates.Updates.Add(new HazardUpdate { StartRectification = StartRequest(e5h2, "fx-batch-e5-h2-start", Day(2029, 10, 31)) });
        updates.Updates.Add(new HazardUpdate { WithdrawHazard = new WithdrawHazardRequest { Name = e5h3, Reason = "举报内容与现场不符", RequestId = "fx-batch-e5-h3-withdraw" } });
        await Write<BatchUpdateHazardsResponse>(CountySystem, "HazardService", "BatchUpdateHazards", updates);

        // ---- 山城街道 (same county) and 解放路街道 (another city) ----
        var e3h1 = await Report(CountySystem, e3, "e3-h1", Finding(ReportChannel.Inspection, Sector.NonCoalMining, "非煤矿山判定标准 第六条", "尾矿库", Day(2024, 5, 27), SupervisionLevel.County));
        await Start(CountySystem, e3h1, "e3-h1", Day(2029, 6, 15));
        await Report(CountySystem, e3, "e3-h2", Finding(ReportChannel.SelfReport, Sector.Chemicals, "AQ 3035-2022 4.2", "炸药库", Day(2023, 9, 9)));

        var e4h1 = await Report(JinanSystem, e4, "e4-h1", Finding(ReportChannel.Inspection, Sector.Construction, "建筑施工判定标准 第三条", "3 号楼 深基坑", Day(2025, 2, 21), SupervisionLevel.City));
        await Start(JinanSystem, e4h1, "e4-h1", Day(2029, 2, 1));
        await Write<Hazard>(JinanSystem, "HazardService", "SubmitForVerification", new SubmitForVerificationRequest { Name = e4h1, Note = "支护已加固", RequestId = "fx-e4-h1-submit" });
        await Close(JinanSystem, e4h1, "e4-h1", (ConfirmingParty.Regulator, "郑监管"), (ConfirmingParty.Expert, "王专家"), (ConfirmingParty.Principal, "褚明"));
        var e4h2 = await Report(JinanSystem, e4, "e4-h2", Finding(ReportChannel.SelfReport, Sector.FireSafety, "消防判定标准 第四条", "地下车库 喷淋", Day(2026, 8, 17)));
        await Start(JinanSystem, e4h2, "e4-h2", Day(2029, 5, 1));
        var e4h3 = await Report(JinanSystem, e4, "e4-h3", Finding(ReportChannel.VerifiedTip, Sector.FireSafety, "消防判定标准 第二条", "宿舍楼 疏散通道", Day(2022, 10, 3)));
        await Write<Hazard>(JinanSystem, "HazardService", "WithdrawHazard", new WithdrawHazardRequest { Name = e4h3, Reason = "不属于重大事故隐患", Invalid = true, RequestId = "fx-e4-h3-invalid" });

        // ---- Overdue: deadlines a few seconds ahead, then wait for the ladder to fire ----
        var soon = Timestamp.FromDateTime(Now().AddSeconds(6));
        for (var i = 0; i < overdue.Count; i++)
        {
            await Write<Hazard>(CountySystem, "HazardService", "StartRectification", new StartRectificationRequest { Name = overdue[i], Deadline = soon, Plan = "限期整改", RequestId = $"fx-overdue-{i}-start" });
        }

        // A fatal accident at the enterprise already on the watch list for its overdue hazards, so the
        // watch list does not change when the year turns.
        await Write<FatalAccident>(CountySystem, "EnterpriseService", "ReportFatalAccident", new ReportFatalAccidentRequest
        {
            Parent = Parent(e2),
            Accident = new NewFatalAccident { OccurredTime = Timestamp.FromDateTime(Now().AddHours(-3)), Deaths = 1, Description = "熔炼车间 1 号炉 灼烫事故" },
            RequestId = "fx-e2-accident",
        });

        var hazards = new HazardService.HazardServiceClient(_channel);
        foreach (var name in overdue)
        {
            var expected = name == h7 ? 2 : 1; // 函告, and for chemicals also 曝光 (see README: the writer's ladder)
            await Until($"{name} escalated", async () => (await hazards.GetHazardAsync(new GetHazardRequest { Name = name })).Escalations.Count >= expected);
        }

        // A profile update once e2 has hazards, escalations and an accident: the stored answer to this
        // request holds the enterprise's figures then, none of them zero (a retry must return them).
        var enterpriseService = new EnterpriseService.EnterpriseServiceClient(_channel);
        await Until("e2's figures show its warning letters", async () =>
            (await enterpriseService.GetEnterpriseAsync(new GetEnterpriseRequest { Name = Parent(e2) })).Figures.WarningLettersThisMonth == 4);
        var e2Updated = e2.Clone();
        e2Updated.Principal = new Person { Name = "钱德福", Phone = "13905370019" };
        e2Updated.SafetyDirector = new Person { Name = "钱安", Phone = "13905370012" };
        var withFigures = await Write<Enterprise>(CountySystem, "EnterpriseService", "RegisterEnterprise", new RegisterEnterpriseRequest { Enterprise = e2Updated, RequestId = "fx-e2-update" });
        Check(withFigures.Figures.Overdue == 4 && withFigures.Figures.FatalAccidentsThisYear == 1, "e2's update should answer with its figures");

        // ---- The final state, once the province adds up ----
        await Until("the province shows the towns' sum", async () =>
        {
            var towns = await Task.WhenAll(new[] { BigTown, SameCountyTown, OtherCityTown }.Select(Status));
            var province = await Status("37");
            return SameCounts(province.Figures, towns.Select(t => t.Figures))
                && SameCounts((await Status("370406")).Figures, towns.Take(2).Select(t => t.Figures));
        });
        await Task.Delay(TimeSpan.FromSeconds(2)); // a last flush, if any
        await RecordFinalState();
    }

    public string Manifest()
    {
        var manifest = new JsonObject
        {
            ["written_by"] = "HazardGrid commit 75a23bf, through the public gRPC API (tests/Compatibility/OldStoreWriter)",
            ["written_at"] = DateTime.UtcNow.ToString("O"),
            ["steps"] = _steps,
            ["final"] = _final,
        };
        return manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    private async Task RecordFinalState()
    {
        var enterprises = new EnterpriseService.EnterpriseServiceClient(_channel);
        var hazards = new HazardService.HazardServiceClient(_channel);
        var regions = new RegionService.RegionServiceClient(_channel);
        var all = new JsonArray();
        var notifications = new JsonObject();
        foreach (var code in _enterprises)
        {
            all.Add(Node(await enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = $"enterprises/{code}" })));
            notifications[$"enterprises/{code}"] = Node(await enterprises.ListNotificationsAsync(new ListNotificationsRequest { Parent = $"enterprises/{code}" }));
        }

        var found = new JsonArray();
        foreach (var name in _hazards)
        {
            found.Add(Node(await hazards.GetHazardAsync(new GetHazardRequest { Name = name })));
        }

        var statuses = new JsonArray();
        foreach (var code in Regions)
        {
            statuses.Add(Node(await Status(code)));
        }

        var watchList = Node(await regions.ListWatchListAsync(new ListWatchListRequest { Parent = "regions/37" }));
        _final["enterprises"] = all;
        _final["hazards"] = found;
        _final["notifications"] = notifications;
        _final["regions"] = statuses;
        _final["province_watch_list"] = watchList;
    }

    private Task<RegionStatus> Status(string code) =>
        new RegionService.RegionServiceClient(_channel).GetRegionStatusAsync(new GetRegionStatusRequest { Name = $"regions/{code}" }).ResponseAsync;

    /// <summary>Whether a parent's counters equal the sum of its children's (by-sector lists aside).</summary>
    private static bool SameCounts(HazardFigures parent, IEnumerable<HazardFigures> children)
    {
        var list = children.ToList();
        return HazardFigures.Descriptor.Fields.InFieldNumberOrder()
            .Where(f => f.FieldType == FieldType.Int32)
            .All(f => (int)f.Accessor.GetValue(parent) == list.Sum(c => (int)f.Accessor.GetValue(c)));
    }

    // ---- Writes, each recorded with its answer ----

    private async Task<T> Write<T>(string systemId, string service, string method, IMessage request) where T : IMessage
    {
        var rpc = HazardgridReflection.Descriptor.Services.Single(s => s.Name == service).FindMethodByName(method);
        var call = new Method<IMessage, IMessage>(MethodType.Unary, rpc.Service.FullName, rpc.Name,
            Marshallers.Create<IMessage>(m => m.ToByteArray(), b => rpc.InputType.Parser.ParseFrom(b)),
            Marshallers.Create<IMessage>(m => m.ToByteArray(), b => rpc.OutputType.Parser.ParseFrom(b)));
        var headers = new Metadata { { "x-system-id", systemId } };
        IMessage response;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                response = await _channel.CreateCallInvoker().AsyncUnaryCall(call, null, new CallOptions(headers, DateTime.UtcNow.AddSeconds(30)), request);
                break;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && attempt < 10)
            {
                // Safe: the same request id answers with the first result.
                Console.WriteLine($"{rpc.Name} {ex.StatusCode}; retrying under the same request id");
            }
        }

        _steps.Add(new JsonObject
        {
            ["rpc"] = $"{rpc.Service.FullName}/{rpc.Name}",
            ["system_id"] = systemId,
            ["request"] = Node(request),
            ["response"] = Node(response),
        });
        return (T)response;
    }

    private async Task<string> Report(string systemId, Enterprise enterprise, string id, NewHazard finding)
    {
        var response = await Write<ReportHazardResponse>(systemId, "HazardService", "ReportHazard", new ReportHazardRequest { Parent = Parent(enterprise), Hazard = finding, RequestId = $"fx-{id}-report" });
        Check(response.Created, $"{id} should be a new record");
        _hazards.Add(response.Hazard.Name);
        return response.Hazard.Name;
    }

    private Task<Hazard> Start(string systemId, string name, string id, Timestamp deadline) =>
        Write<Hazard>(systemId, "HazardService", "StartRectification", StartRequest(name, $"fx-{id}-start", deadline));

    private static StartRectificationRequest StartRequest(string name, string requestId, Timestamp deadline) =>
        new() { Name = name, Deadline = deadline, Plan = "停产整改，更换设备", RequestId = requestId };

    private Task<Hazard> Progress(string systemId, string name, string id, int percent) =>
        Write<Hazard>(systemId, "HazardService", "RecordProgress", new RecordProgressRequest { Name = name, ProgressPercent = percent, Note = $"完成 {percent}%", RequestId = $"fx-{id}-progress" });

    private Task<Hazard> Confirm(string systemId, string name, string id, ConfirmingParty party, string person) =>
        Write<Hazard>(systemId, "HazardService", "ConfirmRectification", new ConfirmRectificationRequest
        {
            Name = name,
            Confirmation = new PartyConfirmation { Party = party, Name = person, ConfirmTime = Timestamp.FromDateTime(Now()) },
            RequestId = $"fx-{id}-confirm",
        });

    private Task<Hazard> Close(string systemId, string name, string id, params (ConfirmingParty Party, string Person)[] confirmations)
    {
        var request = new CloseHazardRequest { Name = name, RequestId = $"fx-{id}-close" };
        request.Confirmations.AddRange(confirmations.Select(c => new PartyConfirmation { Party = c.Party, Name = c.Person, ConfirmTime = Timestamp.FromDateTime(Now()) }));
        return Write<Hazard>(systemId, "HazardService", "CloseHazard", request);
    }

    // ---- Inputs ----

    private static Enterprise Enterprise(int serial, string town, string name, (string Name, string Phone) principal, (string Name, string Phone) controller, params Sector[] sectors)
    {
        var enterprise = new Enterprise
        {
            CreditCode = CreditCode("91" + town[..6] + serial.ToString("D8", System.Globalization.CultureInfo.InvariantCulture) + "X"),
            DisplayName = name,
            Town = town,
            Principal = new Person { Name = principal.Name, Phone = principal.Phone },
            ActualController = new Person { Name = controller.Name, Phone = controller.Phone },
        };
        enterprise.Sectors.AddRange(sectors);
        return enterprise;
    }

    /// <summary>Seventeen characters completed with the GB 32100-2015 check character.</summary>
    private static string CreditCode(string first17)
    {
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        var sum = 0;
        var weight = 1;
        foreach (var c in first17)
        {
            sum += alphabet.IndexOf(c) * weight;
            weight = weight * 3 % 31;
        }

        return first17 + alphabet[(31 - (sum % 31)) % 31];
    }

    private static NewHazard Finding(ReportChannel channel, Sector sector, string criterion, string location, Timestamp found, SupervisionLevel foundBy = SupervisionLevel.Unspecified) => new()
    {
        Channel = channel,
        Sector = sector,
        Criterion = criterion,
        Location = location,
        Description = $"{location}：{criterion} 不符合判定标准",
        FoundTime = found,
        FoundByLevel = foundBy,
    };

    private static string Parent(Enterprise enterprise) => $"enterprises/{enterprise.CreditCode}";

    /// <summary>A day at 10:00 China time.</summary>
    private static Timestamp Day(int year, int month, int day) => Timestamp.FromDateTime(new DateTime(year, month, day, 2, 0, 0, DateTimeKind.Utc));

    /// <summary>Now, to the millisecond (times the service echoes back exactly).</summary>
    private static DateTime Now()
    {
        var now = DateTime.UtcNow;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }

    private static JsonNode Node(IMessage message) => JsonNode.Parse(s_json.Format(message))!;

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException(what);
        }
    }

    private static async Task Until(string what, Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(90));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"gave up waiting until {what}");
            }

            await Task.Delay(250);
        }
    }
}
