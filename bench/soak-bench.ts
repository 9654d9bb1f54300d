/**
 * @module
 * Soak benchmark: a node started as `npm start` starts it (`medledger serve --demo` with a 512 MiB heap, its own process),
 * then FHIR reads and FHIR creates offered at a fixed total rate (three reads to one create, as a
 * clinic's traffic) for many minutes, while the server's resident memory is sampled from /proc every
 * `sampleS` seconds. The chain grows by every request (reads are audited), so flat memory after
 * warm-up shows that nothing in memory grows with it. Writes bench/results/soak.json.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, heartRate, json, MAIN, waitHealthy } from './http-bench.ts';
import { writeResult } from './results.ts';

export interface SoakBenchOptions {
  readonly minutes: number;
  /** Requests per second offered in all (a quarter of them creates). */
  readonly rate: number;
  readonly sampleS: number;
  readonly out?: string | undefined;
  readonly log: (line: string) => void;
}

const PASSWORD = 'medledger-demo';
const HEAP_FLAG = '--max-old-space-size=512';

/** Resident memory of process `pid` in MiB (/proc/<pid>/status VmRSS); undefined off Linux. */
function rssMiB(pid: number | undefined): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

export async function runSoakBench(opts: SoakBenchOptions): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'medledger-soak-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${String(port)}`;
  // The heap bound `npm start` gives the node (package.json): V8 otherwise lets the heap grow towards
  // its default limit (a quarter of the machine's memory) before it collects.
  const child = spawn(
    process.execPath,
    [HEAP_FLAG, MAIN, 'serve', '--demo', '--data', dir, '--port', String(port)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, MEDLEDGER_DEMO_PASSWORD: PASSWORD },
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString().slice(-4000)));
  try {
    await waitHealthy(url, 180_000);
    const { token } = await json<{ token: string }>(
      fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'dr.chen@stmarys.example', password: PASSWORD }),
      }),
    );
    const auth = { authorization: `Bearer ${token}` };
    const [patient] = await json<{ id: string }[]>(
      fetch(`${url}/api/v1/patients?limit=1`, { headers: auth }),
    );
    const records = await json<{ resource: { resourceType: string; id: string } }[]>(
      fetch(`${url}/api/v1/patients/${patient!.id}/records`, { headers: auth }),
    );
    const paths = records.map((r) => `/fhir/R4/${r.resource.resourceType}/${r.resource.id}`);
    const seconds = Math.round(opts.minutes * 60);
    const t0 = Date.now();
    const samples: {
      s: number;
      rssMiB: number | undefined;
      heapMiB: number;
      externalMiB: number;
      /** Reserved heap of the worker threads, summed, and of the main thread. */
      threadsMiB: number;
      heapTotalMiB: number;
      height: number;
    }[] = [];
    const sample = async (): Promise<void> => {
      const health = await json<{ height: number }>(fetch(`${url}/health`));
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const mib = (name: string): number =>
        Math.round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN) / 2 ** 20);
      const threads = [
        ...metrics.matchAll(/^medledger_thread_heap_bytes\{thread="[^"]+",kind="total"\} (\S+)$/gm),
      ];
      const threadsMiB = Math.round(threads.reduce((n, m) => n + Number(m[1]), 0) / 2 ** 20);
      samples.push({
        s: Math.round((Date.now() - t0) / 1000),
        rssMiB: rssMiB(child.pid),
        heapMiB: mib('medledger_nodejs_heap_size_used_bytes'),
        externalMiB: mib('medledger_nodejs_external_memory_bytes'),
        threadsMiB,
        heapTotalMiB: mib('medledger_nodejs_heap_size_total_bytes'),
        height: health.height,
      });
      const last = samples.at(-1)!;
      opts.log(
        `  ${String(last.s).padStart(5)} s  rss ${String(last.rssMiB)} MiB  heap ${String(last.heapMiB)}/${String(last.heapTotalMiB)} MiB  threads ${String(last.threadsMiB)} MiB  external ${String(last.externalMiB)} MiB  height ${String(last.height)}`,
      );
    };
    await sample();
    const timer = setInterval(() => void sample().catch(() => undefined), opts.sampleS * 1000);
    let i = 0;
    const [reads, creates] = await Promise.all([
      autocannon({
        url,
        connections: 32,
        duration: seconds,
        overallRate: Math.round(opts.rate * 0.75),
        headers: auth,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
      }),
      autocannon({
        url: `${url}/fhir/R4/Observation`,
        connections: 64,
        duration: seconds,
        overallRate: Math.round(opts.rate * 0.25),
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(heartRate(patient!.id)),
      }),
    ]);
    clearInterval(timer);
    await sample();
    const run = (r: autocannon.Result) => ({
      requestsPerSec: Math.round(r.requests.average),
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors,
      total: r.requests.total,
    });
    // Flat after warm-up: the last half of the samples against the first sample after the first fifth.
    const rss = samples.map((x) => x.rssMiB ?? 0);
    const warm = rss[Math.max(1, Math.floor(rss.length / 5))] ?? 0;
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
      setup: {
        minutes: opts.minutes,
        offeredPerSec: opts.rate,
        node: `node ${HEAP_FLAG} … serve --demo (difficulty 12)`,
      },
      fhirRead: run(reads),
      fhirCreate: run(creates),
      rssMiB: { atStart: rss[0], afterWarmUp: warm, max: Math.max(...rss), atEnd: rss.at(-1) },
      samples,
    };
    writeResult(opts.out, result);
    return result;
  } catch (e) {
    throw new Error(`soak failed: ${e instanceof Error ? e.message : String(e)}\n${stderr}`, { cause: e });
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
