// A HazardGrid client that is not .NET. It knows the API only from the published .proto files
// (src/Gateway/Protos: hazardgrid/v1/hazardgrid.proto and the google/api, google/rpc copies beside
// it; the google/protobuf well-known types come with protobufjs), and checks what a county system
// relies on: registration, a report and its retry with the same request_id, reads, and a refusal
// that names its field. With HAZARDGRID_HTTP set it checks the same over HTTP/JSON with fetch.
// Prints one line per check; exits 1 on any mismatch, 2 if it could not run.
//
//   HAZARDGRID_GRPC   host:port of the gRPC (h2c) endpoint      default 127.0.0.1:5100
//   HAZARDGRID_HTTP   base URL of the HTTP/1.1 endpoint         unset: HTTP/JSON not checked
//   HAZARDGRID_TOWN   a town's 9-digit division code             default 370406001
//   HAZARDGRID_TOKEN  sent as "authorization: Bearer <token>" (a system credential whose region
//                     holds HAZARDGRID_TOWN); the trail must name its subject
//   HAZARDGRID_PROTOS the folder holding the published protos  default ../../../src/Gateway/Protos
'use strict';

const path = require('node:path');
const crypto = require('node:crypto');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const target = process.env.HAZARDGRID_GRPC || '127.0.0.1:5100';
const httpBase = process.env.HAZARDGRID_HTTP;
const town = process.env.HAZARDGRID_TOWN || '370406001';
const token = process.env.HAZARDGRID_TOKEN;
const protos = path.resolve(process.env.HAZARDGRID_PROTOS || path.join(__dirname, '..', '..', '..', 'src', 'Gateway', 'Protos'));
// Who the service must record on the trail: the credential's subject (the JWT's payload is
// base64url JSON; the client reads it, it does not verify it).
const systemId = token ? JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).sub : 'node-client';

let failures = 0;
function check(what, condition, detail) {
  console.log(`${condition ? 'ok  ' : 'FAIL'} ${what}${condition || detail === undefined ? '' : `: ${detail}`}`);
  if (!condition) failures++;
}

// ---- The API, from the published files only ----
// keepCase: field names as in the .proto (request_id), the names error details use.
const definition = protoLoader.loadSync('hazardgrid/v1/hazardgrid.proto', {
  includeDirs: [protos],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const api = grpc.loadPackageDefinition(definition).hazardgrid.v1;
// google.rpc.Status and its details, to read the grpc-status-details-bin trailer.
const rpc = new protobuf.Root();
rpc.resolvePath = (_, target) => (target.startsWith('google/protobuf/') ? target : path.join(protos, target));
rpc.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
const Status = rpc.lookupType('google.rpc.Status');
const BadRequest = rpc.lookupType('google.rpc.BadRequest');

const credentials = grpc.credentials.createInsecure();
const enterprises = new api.EnterpriseService(target, credentials);
const hazards = new api.HazardService(target, credentials);
const regions = new api.RegionService(target, credentials);

function metadata() {
  const m = new grpc.Metadata();
  if (token) m.set('authorization', `Bearer ${token}`);
  return m;
}

function call(client, method, request) {
  return new Promise((resolve, reject) =>
    client[method](request, metadata(), { deadline: Date.now() + 30_000 }, (error, response) => (error ? reject(error) : resolve(response))));
}

async function refusal(client, method, request) {
  try {
    await call(client, method, request);
  } catch (error) {
    return error;
  }
  return undefined;
}

// ---- Inputs ----
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** A fresh Unified Social Credit Code in the town's county, with its GB 32100-2015 check character. */
function newCreditCode() {
  const serial = String(crypto.randomInt(0, 100_000_000)).padStart(8, '0');
  const first17 = `91${town.slice(0, 6)}${serial}X`;
  const sum = [...first17].reduce((s, c, i) => s + ALPHABET.indexOf(c) * WEIGHTS[i], 0);
  const check = 31 - (sum % 31);
  return first17 + ALPHABET[check === 31 ? 0 : check];
}

function timestamp(date) {
  return { seconds: String(Math.floor(date.getTime() / 1000)), nanos: 0 };
}

async function main() {
  const code = newCreditCode();
  const runId = crypto.randomUUID();

  if (token) {
    const anonymous = await new Promise(resolve =>
      regions.GetRegionStatus({ name: `regions/${town}` }, new grpc.Metadata(), { deadline: Date.now() + 30_000 }, error => resolve(error)));
    check('a call without a credential is UNAUTHENTICATED', anonymous?.code === grpc.status.UNAUTHENTICATED, anonymous && `${anonymous.code} ${anonymous.details}`);
  }

  const enterprise = await call(enterprises, 'RegisterEnterprise', {
    enterprise: {
      credit_code: code,
      display_name: `Node 客户端企业 ${code.slice(-6)}`,
      town,
      sectors: ['SECTOR_CHEMICALS'],
      principal: { name: '张主任', phone: '13800000001' },
      actual_controller: { name: '李控制' },
    },
    request_id: `${runId}-enterprise`,
  });
  check('RegisterEnterprise names the enterprise', enterprise.name === `enterprises/${code}`, enterprise.name);

  const finding = {
    channel: 'REPORT_CHANNEL_INSPECTION',
    sector: 'SECTOR_CHEMICALS',
    criterion: 'NODE-1',
    location: '罐区 1 号',
    description: '储罐未设置液位报警',
    found_time: timestamp(new Date(Date.now() - 24 * 3600 * 1000)),
  };
  const report = { parent: `enterprises/${code}`, hazard: finding, request_id: `${runId}-report` };
  const first = await call(hazards, 'ReportHazard', report);
  check('ReportHazard creates the record', first.created === true && first.hazard.state === 'HAZARD_STATE_REGISTERED', JSON.stringify(first));
  const name = first.hazard.name;

  const retried = await call(hazards, 'ReportHazard', report);
  check('the same request_id answers the first result', retried.hazard.name === name && retried.hazard.version === first.hazard.version,
    `${retried.hazard.name} v${retried.hazard.version}, first ${name} v${first.hazard.version}`);

  const hazard = await call(hazards, 'GetHazard', { name });
  check('GetHazard shows one registration on the trail', hazard.trail.length === 1 && hazard.trail[0].action === 'TRAIL_ACTION_REGISTERED',
    JSON.stringify(hazard.trail));
  check("the trail records the credential's subject", hazard.trail[0].actor === systemId, hazard.trail[0].actor);
  const read = await call(enterprises, 'GetEnterprise', { name: `enterprises/${code}` });
  check('the enterprise counts one hazard', read.figures.registered === 1, JSON.stringify(read.figures));

  const status = await call(regions, 'GetRegionStatus', { name: `regions/${town}` });
  check("the town's status counts the report", status.name === `regions/${town}` && status.level === 'REGION_LEVEL_TOWN' && status.figures.registered >= 1,
    JSON.stringify({ name: status.name, level: status.level, registered: status.figures.registered }));

  const { found_time: _, ...undated } = finding;
  const error = await refusal(hazards, 'ReportHazard', { parent: `enterprises/${code}`, hazard: undated, request_id: `${runId}-undated` });
  check('a report without found_time is INVALID_ARGUMENT', error?.code === grpc.status.INVALID_ARGUMENT, error && `${error.code} ${error.details}`);
  const [detailsBin] = error?.metadata?.get('grpc-status-details-bin') ?? [];
  check('the refusal carries grpc-status-details-bin', detailsBin !== undefined);
  if (detailsBin !== undefined) {
    const decoded = Status.decode(detailsBin);
    const badRequest = decoded.details.find(d => d.type_url === 'type.googleapis.com/google.rpc.BadRequest');
    const field = badRequest && BadRequest.decode(badRequest.value).field_violations[0]?.field;
    check('google.rpc.Status has the code and a BadRequest naming hazard.found_time',
      decoded.code === grpc.status.INVALID_ARGUMENT && field === 'hazard.found_time', `${decoded.code} ${field}`);
  }

  if (httpBase) {
    await overJson(code, name, hazard, report);
  }
}

/** The same API over HTTP/JSON: what a script with curl or fetch sees. */
async function overJson(code, name, hazard, report) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const get = async path => fetch(new URL(path, httpBase), { headers });
  const post = async (path, body) =>
    fetch(new URL(path, httpBase), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const read = await get(`/v1/${name}`);
  const json = await read.json();
  check('GET /v1/{hazard} answers the hazard gRPC reads', read.status === 200 && json.name === name && json.state === hazard.state && json.version === hazard.version,
    `${read.status} ${JSON.stringify({ name: json.name, state: json.state, version: json.version })}`);

  // The gRPC report again as JSON, same request_id: the first result, nothing new.
  const f = report.hazard;
  const retry = await post(`/v1/enterprises/${code}/hazards`, {
    hazard: {
      channel: f.channel, sector: f.sector, criterion: f.criterion, location: f.location, description: f.description,
      foundTime: new Date(Number(f.found_time.seconds) * 1000).toISOString(),
    },
    requestId: report.request_id,
  });
  const retried = await retry.json();
  check('a JSON retry of the gRPC report answers its first result', retry.status === 200 && retried.hazard?.name === name && retried.hazard?.version === hazard.version,
    `${retry.status} ${JSON.stringify(retried).slice(0, 300)}`);

  const bad = await post(`/v1/enterprises/${code}/hazards`, { hazard: { channel: f.channel }, requestId: crypto.randomUUID() });
  const body = await bad.json();
  const violation = body.details?.find(d => d['@type'] === 'type.googleapis.com/google.rpc.BadRequest')?.fieldViolations?.[0];
  check('a malformed JSON report answers 400 with a field violation', bad.status === 400 && body.code === grpc.status.INVALID_ARGUMENT && typeof violation?.field === 'string',
    `${bad.status} ${JSON.stringify(body)}`);

  const missing = await get(`/v1/enterprises/${code}/hazards/9999`);
  check('a missing hazard answers 404', missing.status === 404 && (await missing.json()).code === grpc.status.NOT_FOUND, String(missing.status));
}

main()
  .catch(error => {
    console.error(`client could not run: ${error.stack ?? error}`);
    process.exitCode = 2;
  })
  .then(() => {
    if (!process.exitCode && failures > 0) {
      console.log(`${failures} check(s) failed`);
      process.exitCode = 1;
    } else if (!process.exitCode) {
      console.log('all checks passed');
    }
    for (const client of [enterprises, hazards, regions]) client.close();
  });
