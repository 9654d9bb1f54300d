/**
 * @module
 * HTTP benchmarks against the real server: a node started as its own process (`medledger serve
 * --demo`, proof-of-work difficulty 12 as `npm start`), loaded with autocannon from this process.
 * - authenticated FHIR reads: each one consent-checked, unwrapped, decrypted and audited on chain;
 * - FHIR creates: validated, encrypted, wrapped, signed, and answered only once committed in a block.
 * Each at several connection counts (a closed loop: throughput = connections / latency, so one count
 * alone says little about either). Reports requests/s, latency percentiles and the server process's
 * CPU per request (every thread, from /proc on Linux); writes bench/results/http.json.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { writeResult } from './results.ts';

export interface HttpBenchOptions {
  readonly durationS: number;
  /** Connection counts: one read run and one create run per count. */
  readonly connections: { readonly read: readonly number[]; readonly create: readonly number[] };
  readonly patients: number;
  readonly out?: string | undefined;
  readonly log: (line: string) => void;
}

export const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const PASSWORD = 'medledger-demo';

/** The Observation the HTTP benchmarks create (a heart rate of `patient`). */
export function heartRate(patient: string): Record<string, unknown> {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: '2026-01-01T10:00:00Z',
    valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => {
        resolve(typeof a === 'object' && a ? a.port : 0);
      });
    });
  });
}

export async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`node at ${url} not healthy after ${String(timeoutMs)} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function json<T>(r: Promise<Response>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(`${res.url}: ${String(res.status)} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface Run {
  readonly connections: number;
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly non2xx: number;
  readonly statusCodes: Record<string, number>;
  readonly errors: number;
  readonly total: number;
  /** CPU time of the server process (all its threads) per request answered; null off Linux. */
  readonly serverCpuMicrosPerRequest: number | null;
  /** CPU time of this process (autocannon) per request. */
  readonly loadCpuMicrosPerRequest: number | null;
  readonly machineBusyPercent: number | null;
}

/** User + system CPU time of process `pid` in µs, from /proc/<pid>/stat; undefined off Linux. */
function cpuMicrosOf(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
      .split(') ')[1]!
      .split(' ');
    // utime and stime are fields 14 and 15 of proc_pid_stat(5), in USER_HZ ticks: 100 per second on Linux
    // whatever the kernel's own tick rate.
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/** Busy and total ticks of all cores since boot (/proc/stat: everything but idle and iowait). */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1, 9).map(Number);
    const total = cpu.reduce((a, b) => a + b, 0);
    return { busy: total - cpu[3]! - cpu[4]!, total };
  } catch {
    return undefined;
  }
}

export async function load(
  pid: number | undefined,
  opts: autocannon.Options & { connections: number },
): Promise<Run> {
  const cpu0 = cpuMicrosOf(pid);
  const own0 = process.cpuUsage();
  const m0 = machineTicks();
  const r = await autocannon(opts);
  const m1 = machineTicks();
  const own = process.cpuUsage(own0);
  const cpu1 = cpuMicrosOf(pid);
  return {
    connections: opts.connections,
    requestsPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p90Ms: r.latency.p90,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    non2xx: r.non2xx,
    statusCodes: Object.fromEntries(
      Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count ?? 0]),
    ),
    errors: r.errors,
    total: r.requests.total,
    serverCpuMicrosPerRequest:
      cpu0 === undefined || cpu1 === undefined || r.requests.total === 0
        ? null
        : Math.round((cpu1 - cpu0) / r.requests.total),
    // The load generator shares the two cores: its own CPU per request, for the split.
    loadCpuMicrosPerRequest:
      r.requests.total === 0 ? null : Math.round((own.user + own.system) / r.requests.total),
    // Share of the machine's cores busy during the run (anything running on it): below 100 %, the
    // server waited on something else than CPU.
    machineBusyPercent:
      m0 && m1 && m1.total > m0.total
        ? Math.round((100 * (m1.busy - m0.busy)) / (m1.total - m0.total))
        : null,
  };
}

function line(name: string, r: Run): string {
  const cpu =
    (r.serverCpuMicrosPerRequest === null
      ? ''
      : `  server CPU ${String(r.serverCpuMicrosPerRequest)} µs/req`) +
    (r.loadCpuMicrosPerRequest === null ? '' : `, load generator ${String(r.loadCpuMicrosPerRequest)}`) +
    (r.machineBusyPercent === null ? '' : `; cores ${String(r.machineBusyPercent)} % busy`);
  return `  ${name} ${String(r.connections).padStart(3)} conn ${String(r.requestsPerSec).padStart(6)} req/s  p50 ${String(r.p50Ms)} ms  p90 ${String(r.p90Ms)}  p99 ${String(r.p99Ms)}  max ${String(r.maxMs)}  non-2xx ${String(r.non2xx)}${cpu}`;
}

/** A run with whether it reached the throughput and the p99 of the target at once. */
function meets(r: Run, perSec: number, p99Ms: number): Run & { meetsTarget: boolean } {
  return {
    ...r,
    meetsTarget: r.requestsPerSec >= perSec && r.p99Ms <= p99Ms && r.non2xx === 0 && r.errors === 0,
  };
}

export async function runHttpBench(opts: HttpBenchOptions): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'medledger-httpbench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${String(port)}`;
  const child = spawn(
    process.execPath,
    [MAIN, 'serve', '--demo', '--data', dir, '--port', String(port), '--patients', String(opts.patients)],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MEDLEDGER_DEMO_PASSWORD: PASSWORD } },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitHealthy(url, 180_000);
    const login = await json<{ token: string }>(
      fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'dr.chen@stmarys.example', password: PASSWORD }),
      }),
    );
    const auth = { authorization: `Bearer ${login.token}` };
    // The records Dr Chen (St Mary's, the authoring organization) may read for treatment.
    const patients = await json<{ id: string }[]>(
      fetch(`${url}/api/v1/patients?limit=10`, { headers: auth }),
    );
    const patientIds = patients.map((p) => p.id);
    const paths: string[] = [];
    for (const p of patientIds.slice(0, 10)) {
      const recs = await json<{ resource: { resourceType: string; id: string } }[]>(
        fetch(`${url}/api/v1/patients/${p}/records`, { headers: auth }),
      );
      for (const r of recs) paths.push(`/fhir/R4/${r.resource.resourceType}/${r.resource.id}`);
    }
    if (paths.length === 0) throw new Error('no readable records to benchmark');
    // Until the FHIR routes exist, the same reads and writes go through the native API.
    const fhir = (await fetch(`${url}${paths[0]!}`, { headers: auth })).status === 200;
    if (!fhir) for (const [k, p] of paths.entries()) paths[k] = `/api/v1/records/${p.split('/').at(-1)!}`;
    opts.log(
      `http bench: node at ${url}, ${String(paths.length)} records to read, ${String(opts.durationS)} s per run`,
    );
    let i = 0;
    const reads: Run[] = [];
    for (const connections of opts.connections.read) {
      const run = await load(child.pid, {
        url,
        connections,
        duration: opts.durationS,
        headers: auth,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
      });
      reads.push(run);
      opts.log(line('FHIR read  ', run));
    }
    const subject = patientIds[0]!;
    const creates: Run[] = [];
    for (const connections of opts.connections.create) {
      const run = await load(child.pid, {
        url: fhir ? `${url}/fhir/R4/Observation` : `${url}/api/v1/records`,
        connections,
        duration: opts.durationS,
        method: 'POST',
        headers: { ...auth, 'content-type': fhir ? 'application/fhir+json' : 'application/json' },
        body: JSON.stringify(heartRate(subject)),
      });
      creates.push(run);
      opts.log(line('FHIR create', run));
    }
    const health = await json<{ status: string; height: number }>(fetch(`${url}/health`));
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
      api: fhir ? 'fhir' : 'native',
      setup: {
        durationS: opts.durationS,
        patients: opts.patients,
        difficulty: 12,
        loadGenerator: 'autocannon, same machine',
      },
      fhirRead: { targetPerSec: 3000, targetP99Ms: 20, runs: reads.map((r) => meets(r, 3000, 20)) },
      fhirCreate: { targetPerSec: 2000, targetP99Ms: 100, runs: creates.map((r) => meets(r, 2000, 100)) },
      chainAfter: health,
    };
    writeResult(opts.out, result);
    return result;
  } catch (e) {
    opts.log(stderr.slice(-2000));
    throw e;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
