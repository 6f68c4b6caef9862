#!/usr/bin/env python3
"""Where a service's CPU went, by category, from a dotnet-trace speedscope file.

    dotnet-trace collect -p <silo pid> --duration 00:00:00:14 --format speedscope -o ingest.nettrace
    python3 bench/profile-shares.py ingest.speedscope.json

Every sample of a running thread goes to one category: the first of the specific categories
(in list order) that any frame of its stack names, else the generic category of the frame nearest
the leaf. Samples of threads parked for the sampler's own stop (Thread.PollGC) and of waiting
threads are left out. Used for bench/README.md, "Issue 12: where a report's CPU goes".
"""
import json, sys, collections
d = json.load(open(sys.argv[1]))
frames = [f['name'] for f in d['shared']['frames']]
cats = [
 ('lock spinning (Monitor.Enter slow path)', ['Monitor.Enter_Slowpath']),
 ('grain reference resolution (GetGrain)', ['GrainFactory.GetGrain(class System.String']),
 ('JWT validation', ['JwtBearerHandler', 'Microsoft.IdentityModel']),
 ('request fingerprint (JSON + SHA-256)', ['RequestFingerprint']),
 ('metrics (OpenTelemetry)', ['OpenTelemetry']),
 ('region rollup flush (sums over children)', ['RegionReporter+<Flush>', 'RollupGrain.get_Scoped', 'RollupGrain.Status']),
 ('town recount of figures', ['TownGrain.<OnActivateAsync>b__34_0', 'TownGrain.Count', 'HazardFigures.Count']),
 ('hazard list index', ['HazardIndex']),
 ('Npgsql (PostgreSQL client)', ['Npgsql']),
 ('Orleans serialization and copying (state, call arguments)', ['Orleans.Serialization!', 'Codec_', 'Copier_', 'OrleansGrainStorageSerializer']),
 ('group commit (queue, batch)', ['GroupCommitGrainStorage']),
 ('Orleans messaging, dispatch, activation', ['Orleans.Runtime', 'Orleans.Core']),
 ('HTTP/2, gRPC, ASP.NET Core pipeline', ['Kestrel', 'Grpc.AspNetCore', 'System.IO.Pipelines', 'Microsoft.AspNetCore']),
 ('HazardGrid grain and gateway code', ['HazardGrid.']),
]
waits = ('Wait', 'Sleep', 'epoll', 'LowLevelLifoSemaphore', 'Socket', 'Interop+Sys', 'WorkerThreadStart', 'SpinWait')
c = collections.Counter(); tot = 0
for p in d['profiles']:
    stack = []; last = None
    for e in p['events']:
        t = e['at']
        if stack and last is not None:
            names = [frames[i] for i in stack]
            if not any('PollGC' in n for n in names) and not any(any(w in n for w in waits) for n in names[-6:]):
                cat = 'other (runtime, GC, thread pool, collections)'
                specific = cats[:11]; generic = cats[11:]
                hit = next((name for name, keys in specific if any(k in n for n in names for k in keys)), None)
                if hit is None:
                    for n in reversed(names):
                        hit = next((name for name, keys in generic if any(k in n for k in keys)), None)
                        if hit: break
                if hit: cat = hit
                c[cat] += t - last; tot += t - last
        last = t
        if e['type'] == 'O': stack.append(e['frame'])
        else:
            if stack: stack.pop()
print('samples ms', round(tot))
for k, w in c.most_common(): print(f'{100*w/tot:5.1f}% {k}')
