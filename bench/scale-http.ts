/**
 * @module
 * The HTTP half of the growth benchmark: the grown data directory served by `medledger serve` in a
 * process of its own, then FHIR reads of the large patient's records and FHIR creates for that
 * patient, loaded with autocannon as in the HTTP benchmark, so the figures compare across chain sizes.
 */
import { spawn } from 'node:child_process';
import { freePort, heartRate, json, load, MAIN, waitHealthy } from './http-bench.ts';
import type { Run } from './http-bench.ts';
import { BIG_PATIENT, SCALE_DOCTOR, SCALE_PASSWORD } from './scale-grow.ts';

export interface HttpMeasure {
  readonly fhirReadPerSec: number;
  readonly fhirReadP99Ms: number;
  readonly fhirCreatePerSec: number;
  readonly fhirCreateP99Ms: number;
  /** Requests answered other than 2xx, or failed, in both runs (0 for a valid run). */
  readonly failed: number;
  readonly statusCodes: { read: Record<string, number>; create: Record<string, number> };
}

const READ_CONNECTIONS = 16;
const CREATE_CONNECTIONS = 64;

/** Serves `dir`, loads it for `seconds` per run, stops the server; `recordIds` are read in turn. */
export async function measureHttp(
  dir: string,
  recordIds: readonly string[],
  seconds: number,
  serveArgs: readonly string[] = [],
): Promise<HttpMeasure> {
  const port = await freePort();
  const url = `http://127.0.0.1:${String(port)}`;
  const child = spawn(
    process.execPath,
    [MAIN, 'serve', '--data', dir, '--port', String(port), ...serveArgs],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitHealthy(url, 300_000);
    const { token } = await json<{ token: string }>(
      fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: SCALE_DOCTOR, password: SCALE_PASSWORD }),
      }),
    );
    const headers = { authorization: `Bearer ${token}` };
    let i = 0;
    const reads: Run = await load(child.pid, {
      url,
      connections: READ_CONNECTIONS,
      duration: seconds,
      headers,
      requests: [
        {
          method: 'GET',
          setupRequest: (req) => ({
            ...req,
            path: `/fhir/R4/Observation/${recordIds[i++ % recordIds.length]!}`,
          }),
        },
      ],
    });
    const creates: Run = await load(child.pid, {
      url: `${url}/fhir/R4/Observation`,
      connections: CREATE_CONNECTIONS,
      duration: seconds,
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(heartRate(BIG_PATIENT)),
    });
    return {
      fhirReadPerSec: reads.requestsPerSec,
      fhirReadP99Ms: reads.p99Ms,
      fhirCreatePerSec: creates.requestsPerSec,
      fhirCreateP99Ms: creates.p99Ms,
      failed: reads.non2xx + reads.errors + creates.non2xx + creates.errors,
      statusCodes: { read: reads.statusCodes, create: creates.statusCodes },
    };
  } catch (e) {
    throw new Error(
      `scale http run failed: ${e instanceof Error ? e.message : String(e)}\n${stderr.slice(-2000)}`,
      { cause: e },
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
