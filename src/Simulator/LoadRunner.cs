using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using HazardGrid.Api.V1;

namespace HazardGrid.Simulator;

/// <summary>Counters of one run, shared by the pushing tasks.</summary>
public sealed class RunStats
{
    private long _calls;
    private long _retries;
    private long _duplicatesAbsorbed;

    public long Calls => Interlocked.Read(ref _calls);

    public long Retries => Interlocked.Read(ref _retries);

    public long DuplicatesAbsorbed => Interlocked.Read(ref _duplicatesAbsorbed);

    /// <summary>One call that took <paramref name="attempts"/> attempts, <paramref name="retries"/> of them retries.</summary>
    public void Attempts(int attempts, int retries)
    {
        Interlocked.Add(ref _calls, attempts);
        Interlocked.Add(ref _retries, retries);
    }

    public void DuplicateAbsorbed() => Interlocked.Increment(ref _duplicatesAbsorbed);
}

/// <summary>
/// Pushes a <see cref="ProvinceModel"/> through the gRPC API the way the 16 city and 151 county
/// systems would: each enterprise and hazard by its county's system (with its own credential, see <see cref="SimulatedSystems"/>),
/// many calls in flight, every write with a request id derived from the seed, and failed calls
/// retried with the same id — so a run can be interrupted and repeated without duplicating anything.
/// </summary>
/// <param name="anchor">The instant deadlines are planned from. Every value a write carries is
/// derived from the model, the anchor and earlier answers, so re-running with the same seed and
/// anchor repeats each request exactly (same id, same content) and changes nothing.</param>
public sealed class LoadRunner(CallInvoker invoker, ProvinceModel model, int concurrency, DateTimeOffset anchor, SimulatedSystems systems, Action<string, long, long>? progress = null)
{
    private readonly EnterpriseService.EnterpriseServiceClient _enterprises = new(invoker);
    private readonly HazardService.HazardServiceClient _hazards = new(invoker);
    private readonly TipService.TipServiceClient _tips = new(invoker);

    public RunStats Stats { get; } = new();

    /// <summary>Enterprises per bulk registration call.</summary>
    public const int EnterprisesPerBatch = 100;

    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        // Each county system pushes its register in bulk: batches of one county's enterprises,
        // fewer calls in flight since each carries many registrations.
        var batches = model.Enterprises.GroupBy(e => e.CountyCode).SelectMany(county => county.Chunk(EnterprisesPerBatch)).ToList();
        await ForEach("enterprises", batches, model.Enterprises.Count, b => b.Length, RegisterAsync, Math.Max(2, concurrency / 4), cancellationToken);
        await ForEach("hazards", model.Hazards, model.Hazards.Count, _ => 1, PushHazardAsync, concurrency, cancellationToken);

        // The tips that did not become hazards (those that did went with their hazards).
        var tips = model.Tips.Where(t => t.Hazard is null).ToList();
        await ForEach("tips", tips, tips.Count, _ => 1, PushTipAsync, concurrency, cancellationToken);
    }

    private async Task ForEach<T>(string phase, IReadOnlyList<T> items, long total, Func<T, int> weight, Func<T, CancellationToken, Task> push, int parallelism, CancellationToken cancellationToken)
    {
        long done = 0;
        using var ticker = new Timer(_ => progress?.Invoke(phase, Interlocked.Read(ref done), total), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            await push(item, ct);
            Interlocked.Add(ref done, weight(item));
        });
        progress?.Invoke(phase, total, total);
    }

    private Task RegisterAsync(SimEnterprise[] batch, CancellationToken ct)
    {
        var request = new BatchRegisterEnterprisesRequest();
        foreach (var e in batch)
        {
            var enterprise = new Enterprise
            {
                CreditCode = e.CreditCode,
                DisplayName = $"模拟企业 {e.Index}",
                Town = e.TownCode,
                Principal = new Person { Name = $"负责人{e.Index % 1000}" },
                ActualController = new Person { Name = $"控制人{e.Index % 1000}" },
            };
            enterprise.Sectors.Add(e.Sector);
            request.Requests.Add(new RegisterEnterpriseRequest { Enterprise = enterprise, RequestId = Id($"e{e.Index}") });
        }

        return Call(batch[0].CountyCode, ct, (headers, token) => _enterprises.BatchRegisterEnterprisesAsync(request, headers, cancellationToken: token));
    }

    private async Task PushHazardAsync(SimHazard h, CancellationToken ct)
    {
        var county = h.Enterprise.CountyCode;
        var finding = new NewHazard
        {
            Channel = h.Channel,
            Sector = h.Enterprise.Sector,
            Criterion = h.Criterion,
            Location = h.Location,
            Description = $"{h.Criterion} 不符合重大事故隐患判定标准",
            FoundTime = Timestamp.FromDateTimeOffset(h.FoundAt),
        };
        var parent = $"enterprises/{h.Enterprise.CreditCode}";
        string name;
        Timestamp registeredAt;
        if (model.TipOf(h) is { } tip)
        {
            // Verified from a tip: the tip is received and verified as this hazard, which registers it.
            var tipName = (await ReceiveTipAsync(tip, ct)).Name;
            var verified = await Call(county, ct, (headers, token) => _tips.VerifyTipAsync(new VerifyTipRequest
            {
                Name = tipName,
                AsHazard = new TipHazard { Sector = finding.Sector, Criterion = finding.Criterion, Location = finding.Location, Description = finding.Description, FoundTime = finding.FoundTime },
                RequestId = Id($"t{tip.Index}/verify"),
            }, headers, cancellationToken: token));
            await RewardAsync(tip, verified.Name, ct);
            (name, registeredAt) = (verified.Hazard, verified.ResolveTime);
        }
        else
        {
            var reported = await Call(county, ct, (headers, token) => _hazards.ReportHazardAsync(
                new ReportHazardRequest { Parent = parent, Hazard = finding, RequestId = Id($"h{h.Index}/report") }, headers, cancellationToken: token));
            (name, registeredAt) = (reported.Hazard.Name, reported.Hazard.RegisterTime);
        }

        // One in a hundred findings is reported again through another channel: it must be absorbed.
        if (h.Index % 100 == 7)
        {
            var again = finding.Clone();
            again.Channel = h.Channel == ReportChannel.SelfReport ? ReportChannel.Inspection : ReportChannel.SelfReport;
            var repeat = await Call(county, ct, (headers, token) => _hazards.ReportHazardAsync(
                new ReportHazardRequest { Parent = parent, Hazard = again, RequestId = Id($"h{h.Index}/again") }, headers, cancellationToken: token));
            if (!repeat.Created && repeat.Hazard.Name == name)
            {
                Stats.DuplicateAbsorbed();
            }
        }

        // The rest of the hazard's life so far goes in one bulk call, as a county system pushing its
        // backlog would: applied together, each update under its own request id.
        var batch = new BatchUpdateHazardsRequest();
        batch.Updates.AddRange(LifeAfterReport(h, name, registeredAt));
        if (batch.Updates.Count > 0)
        {
            await Call(county, ct, (headers, token) => _hazards.BatchUpdateHazardsAsync(batch, headers, cancellationToken: token));
        }
    }

    /// <summary>A tip that is not a hazard: received, then verified as a violation (and rewarded),
    /// dismissed, or left awaiting verification.</summary>
    private async Task PushTipAsync(SimTip tip, CancellationToken ct)
    {
        var name = (await ReceiveTipAsync(tip, ct)).Name;
        switch (tip.Outcome)
        {
            case TipOutcome.VerifiedAsViolation:
                await Call(tip.CountyCode, ct, (headers, token) => _tips.VerifyTipAsync(new VerifyTipRequest
                {
                    Name = name, AsViolation = new TipViolation { Note = "经核查，举报的非法违法行为属实" }, RequestId = Id($"t{tip.Index}/verify"),
                }, headers, cancellationToken: token));
                await RewardAsync(tip, name, ct);
                break;
            case TipOutcome.Dismissed:
                await Call(tip.CountyCode, ct, (headers, token) => _tips.DismissTipAsync(new DismissTipRequest
                {
                    Name = name, Reason = "经现场核查，举报事项不属实", RequestId = Id($"t{tip.Index}/dismiss"),
                }, headers, cancellationToken: token));
                break;
        }
    }

    private Task<Tip> ReceiveTipAsync(SimTip tip, CancellationToken ct)
    {
        var newTip = new NewTip
        {
            Channel = tip.Channel,
            Content = $"举报 {tip.Index}：存在重大事故隐患或非法违法行为",
            ReceiveTime = Timestamp.FromDateTimeOffset(tip.ReceivedAt),
            Tipster = tip.Named ? new Tipster { Name = $"举报人{tip.Index}", Phone = $"139{tip.Index % 100_000_000:D8}" } : null,
        };
        if (tip.Enterprise is { } e)
        {
            newTip.Enterprise = e.CreditCode;
        }
        else
        {
            newTip.Town = tip.TownCode;
            newTip.Address = $"地址 {tip.Index}";
        }

        return Call(tip.CountyCode, ct, (headers, token) => _tips.ReportTipAsync(new ReportTipRequest { Tip = newTip, RequestId = Id($"t{tip.Index}/report") }, headers, cancellationToken: token));
    }

    /// <summary>A verified tip's reward decided, and paid (兑现) unless the model leaves it unpaid.</summary>
    private async Task RewardAsync(SimTip tip, string name, CancellationToken ct)
    {
        await Call(tip.CountyCode, ct, (headers, token) => _tips.DecideTipRewardAsync(new DecideTipRewardRequest
        {
            Name = name, AmountFen = tip.RewardFen, Note = "举报奖励", RequestId = Id($"t{tip.Index}/reward"),
        }, headers, cancellationToken: token));
        if (tip.RewardPaid)
        {
            await Call(tip.CountyCode, ct, (headers, token) => _tips.RecordTipRewardPaymentAsync(new RecordTipRewardPaymentRequest
            {
                Name = name, PaymentReference = $"JL-{tip.Index}", RequestId = Id($"t{tip.Index}/pay"),
            }, headers, cancellationToken: token));
        }
    }

    private IEnumerable<HazardUpdate> LifeAfterReport(SimHazard h, string name, Timestamp registeredAt)
    {
        switch (h.Outcome)
        {
            case Outcome.Registered:
                yield break;
            case Outcome.Withdrawn or Outcome.Invalid:
                yield return new HazardUpdate { WithdrawHazard = new WithdrawHazardRequest
                {
                    Name = name, Invalid = h.Outcome == Outcome.Invalid, Reason = "经核查撤销", RequestId = Id($"h{h.Index}/withdraw"),
                } };
                yield break;
        }

        yield return new HazardUpdate { StartRectification = new StartRectificationRequest
        {
            Name = name,
            Deadline = Timestamp.FromDateTimeOffset(anchor.AddDays(h.DeadlineDays)),
            Plan = "制定整改方案，落实资金、措施、责任、时限、预案",
            RequestId = Id($"h{h.Index}/start"),
        } };
        if (h.Outcome == Outcome.Rectifying)
        {
            yield return new HazardUpdate { RecordProgress = new RecordProgressRequest
            {
                Name = name, ProgressPercent = 40, Note = "整改进行中", RequestId = Id($"h{h.Index}/progress"),
            } };
            yield break;
        }

        yield return new HazardUpdate { SubmitForVerification = new SubmitForVerificationRequest
        {
            Name = name, Note = "整改完成，申请验收", RequestId = Id($"h{h.Index}/submit"),
        } };
        if (h.Outcome == Outcome.Closed)
        {
            var close = new CloseHazardRequest { Name = name, RequestId = Id($"h{h.Index}/close") };
            var at = registeredAt; // on-site confirmation, recorded as of registration: repeatable
            close.Confirmations.Add(new PartyConfirmation { Party = ConfirmingParty.Regulator, Name = "监管人员", ConfirmTime = at });
            close.Confirmations.Add(new PartyConfirmation { Party = ConfirmingParty.Expert, Name = "安全专家", ConfirmTime = at });
            close.Confirmations.Add(new PartyConfirmation { Party = ConfirmingParty.Principal, Name = "主要负责人", ConfirmTime = at });
            yield return new HazardUpdate { CloseHazard = close };
        }
    }

    /// <summary>
    /// The steady live mix after the load, for <paramref name="duration"/>: half the calls are
    /// supervisors' status queries of random regions; the rest are county systems reporting new
    /// findings, starting rectification and recording progress, and closing (submit and close in
    /// one batch). Each worker moves only hazards it reported itself, so the outcome is known
    /// exactly and the province can be checked against it.
    /// </summary>
    public async Task<LiveOutcome> RunLiveAsync(TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var regions = new RegionService.RegionServiceClient(invoker);
        var codes = Regions.RegionCatalog.Shandong.All.Select(r => r.Code).ToArray();
        var clock = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var random = new Random(HashCode.Combine(model.Seed, worker));
            var mine = new List<(string Name, string County, Outcome State)>();
            var outcome = new LiveOutcome();
            for (var n = 0; clock.Elapsed < duration && !cancellationToken.IsCancellationRequested; n++)
            {
                var roll = random.NextDouble();
                var latency = Stopwatch.StartNew();
                if (roll < 0.5)
                {
                    await regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/" + codes[random.Next(codes.Length)] }, systems.Province(), cancellationToken: cancellationToken);
                    outcome = outcome with { Queries = outcome.Queries + 1, QueryMilliseconds = outcome.QueryMilliseconds + latency.Elapsed.TotalMilliseconds };
                    continue;
                }

                var open = mine.FindIndex(h => h.State == (roll < 0.85 ? Outcome.Registered : Outcome.Rectifying));
                if (roll < 0.7 || open < 0)
                {
                    var e = model.Enterprises[random.Next(model.Enterprises.Count)];
                    var finding = new NewHazard
                    {
                        Channel = (ReportChannel)random.Next(1, 5),
                        Sector = e.Sector,
                        Criterion = $"{e.Sector}-live",
                        Location = $"现场 {worker}-{n}",
                        Description = "巡查发现，不符合重大事故隐患判定标准",
                        FoundTime = Timestamp.FromDateTimeOffset(anchor),
                    };
                    var reported = await Call(e.CountyCode, cancellationToken, (headers, token) => _hazards.ReportHazardAsync(
                        new ReportHazardRequest { Parent = $"enterprises/{e.CreditCode}", Hazard = finding, RequestId = Id($"live{worker}-{n}/report") }, headers, cancellationToken: token));
                    mine.Add((reported.Hazard.Name, e.CountyCode, Outcome.Registered));
                    outcome = outcome with { Writes = outcome.Writes + 1 };
                    continue;
                }

                var (name, county, state) = mine[open];
                var batch = new BatchUpdateHazardsRequest();
                if (state == Outcome.Registered)
                {
                    batch.Updates.Add(new HazardUpdate { StartRectification = new StartRectificationRequest
                    {
                        Name = name, Deadline = Timestamp.FromDateTimeOffset(anchor.AddDays(30)), Plan = "整改方案", RequestId = Id($"live{worker}-{n}/start"),
                    } });
                    batch.Updates.Add(new HazardUpdate { RecordProgress = new RecordProgressRequest
                    {
                        Name = name, ProgressPercent = 20, Note = "整改启动", RequestId = Id($"live{worker}-{n}/progress"),
                    } });
                    mine[open] = (name, county, Outcome.Rectifying);
                }
                else
                {
                    batch.Updates.Add(new HazardUpdate { SubmitForVerification = new SubmitForVerificationRequest { Name = name, Note = "整改完成", RequestId = Id($"live{worker}-{n}/submit") } });
                    var close = new CloseHazardRequest { Name = name, RequestId = Id($"live{worker}-{n}/close") };
                    var at = Timestamp.FromDateTimeOffset(anchor);
                    close.Confirmations.Add(new PartyConfirmation { Party = ConfirmingParty.Regulator, Name = "监管人员", ConfirmTime = at });
                    close.Confirmations.Add(new PartyConfirmation { Party = ConfirmingParty.Expert, Name = "安全专家", ConfirmTime = at });
                    close.Confirmations.Add(new PartyConfirmation { Party = ConfirmingParty.Principal, Name = "主要负责人", ConfirmTime = at });
                    batch.Updates.Add(new HazardUpdate { CloseHazard = close });
                    mine[open] = (name, county, Outcome.Closed);
                }

                await Call(county, cancellationToken, (headers, token) => _hazards.BatchUpdateHazardsAsync(batch, headers, cancellationToken: token));
                outcome = outcome with { Writes = outcome.Writes + 1 };
            }

            return outcome with
            {
                Registered = mine.Count(h => h.State == Outcome.Registered),
                Rectifying = mine.Count(h => h.State == Outcome.Rectifying),
                Closed = mine.Count(h => h.State == Outcome.Closed),
            };
        }, cancellationToken)));

        return outcomes.Aggregate(new LiveOutcome(), (a, b) => a.Plus(b)) with { Elapsed = clock.Elapsed };
    }

    /// <summary>
    /// One write. Retries are the channel's (<see cref="CreateChannel"/>: gRPC's own retry policy,
    /// on UNAVAILABLE), which re-sends the same request — the same request id — so a retry changes
    /// nothing the first attempt did. The attempts it took are counted from the response's
    /// <c>grpc-previous-rpc-attempts</c> header.
    /// </summary>
    private async Task<T> Call<T>(string county, CancellationToken ct, Func<Metadata, CancellationToken, AsyncUnaryCall<T>> invoke)
    {
        var headers = systems.County(county);
        using var call = invoke(headers, ct);
        var response = await call.ResponseAsync;
        var retries = (await call.ResponseHeadersAsync).GetValue(PreviousAttemptsHeader) is { } value
            ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
            : 0;
        Stats.Attempts(1 + retries, retries);
        return response;
    }

    /// <summary>Set by Grpc.Net.Client on a response that took more than one attempt (gRPC retry design A6).</summary>
    private const string PreviousAttemptsHeader = "grpc-previous-rpc-attempts";

    /// <summary>How many attempts a call may take: the first and up to seven retries.</summary>
    public const int MaxAttempts = 8;

    /// <summary>
    /// A channel to the gateway at <paramref name="target"/> whose calls are retried by gRPC itself
    /// while the service answers UNAVAILABLE (a silo failing over, a gateway restarting), with
    /// exponential backoff from 0.2 s to 2 s, up to <see cref="MaxAttempts"/> attempts.
    /// </summary>
    public static GrpcChannel CreateChannel(string target) => GrpcChannel.ForAddress(target, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        MaxRetryAttempts = MaxAttempts,
        ServiceConfig = new ServiceConfig
        {
            MethodConfigs =
            {
                new MethodConfig
                {
                    Names = { MethodName.Default },
                    RetryPolicy = new RetryPolicy
                    {
                        MaxAttempts = MaxAttempts,
                        InitialBackoff = TimeSpan.FromMilliseconds(200),
                        MaxBackoff = TimeSpan.FromSeconds(2),
                        BackoffMultiplier = 2,
                        RetryableStatusCodes = { StatusCode.Unavailable },
                    },
                },
            },
        },
    });

    private string Id(string what) => $"sim{model.Seed}-{what}";
}

/// <summary>What the live mix did: calls by kind, and the final state of the hazards it reported
/// (found now, so all of them increment, 增量).</summary>
public sealed record LiveOutcome(long Queries = 0, double QueryMilliseconds = 0, long Writes = 0, int Registered = 0, int Rectifying = 0, int Closed = 0, TimeSpan Elapsed = default)
{
    public LiveOutcome Plus(LiveOutcome other) => new(
        Queries + other.Queries, QueryMilliseconds + other.QueryMilliseconds, Writes + other.Writes,
        Registered + other.Registered, Rectifying + other.Rectifying, Closed + other.Closed, Elapsed);

    /// <summary>The province figures once the live mix's hazards are counted on top of <paramref name="loaded"/>.</summary>
    public Expected AddedTo(Expected loaded) => loaded with
    {
        Registered = loaded.Registered + Registered,
        Rectifying = loaded.Rectifying + Rectifying,
        Closed = loaded.Closed + Closed,
        OpenIncrement = loaded.OpenIncrement + Registered + Rectifying,
        ClosedIncrement = loaded.ClosedIncrement + Closed,
    };
}
