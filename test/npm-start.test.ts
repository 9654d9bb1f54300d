/**
 * @module
 * `npm start` as a new user runs it: from an empty data directory to a healthy node with demo users
 * for every role (credentials in a 0600 file), a clean exit 0 on SIGTERM, and a restart on the same
 * directory that reuses the data instead of seeding again. Every process started here is killed (its
 * whole process group) whatever happens.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_PASSWORD } from '../src/cli/demo-data.ts';
import type { DemoCredentials } from '../src/cli/commands/serve.ts';

const ROOT = resolve(import.meta.dirname, '..');
const FIRST_START_MS = 120_000;
const RESTART_MS = 30_000;
const ROLES = ['admin', 'doctor', 'patient', 'researcher', 'auditor'];

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  out: string;
  err: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const address = srv.address();
  await new Promise<void>((r) => {
    srv.close(() => {
      r();
    });
  });
  assert.ok(address && typeof address === 'object');
  return address.port;
}

function start(dataDir: string, port: number): Started {
  const env: NodeJS.ProcessEnv = { ...process.env, MEDLEDGER_DATA: dataDir, PORT: String(port) };
  // A new user has no demo password set; and the child is not part of this test run.
  delete env.MEDLEDGER_DEMO_PASSWORD;
  delete env.MEDLEDGER_ADMIN_PASSWORD;
  delete env.NODE_TEST_CONTEXT;
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const s: Started = {
    child,
    url: `http://127.0.0.1:${String(port)}`,
    out: '',
    err: '',
    exited: new Promise((r) => {
      child.once('exit', (code, signal) => {
        r({ code, signal });
      });
    }),
  };
  child.stdout.on('data', (c: Buffer) => (s.out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (s.err += c.toString()));
  return s;
}

/** Kills the whole process group (npm, sh and the node server), ignoring one that is gone. */
function killGroup(s: Started | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!s?.child.pid) return;
  try {
    process.kill(-s.child.pid, signal);
  } catch {
    // already gone
  }
}

/** Polls /health until 200; throws with the process output on timeout or exit. */
async function healthy(s: Started, withinMs: number): Promise<{ ms: number; height: number }> {
  const t0 = performance.now();
  const state = { exited: false };
  void s.exited.then(() => (state.exited = true));
  for (;;) {
    try {
      const r = await fetch(`${s.url}/health`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) {
        const h = (await r.json()) as { status: string; height: number };
        if (h.status === 'ok') return { ms: performance.now() - t0, height: h.height };
      } else await r.arrayBuffer();
    } catch {
      // not listening yet
    }
    if (state.exited || performance.now() - t0 > withinMs)
      assert.fail(
        `not healthy (exited: ${String(state.exited)}) after ${String(Math.round(performance.now() - t0))} ms\n${s.err.slice(-2000)}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The node server's pid, from its own JSON log lines (npm and sh sit between us and it). */
function serverPid(s: Started): number {
  const m = /"pid":(\d+)/.exec(s.out);
  assert.ok(m, `no pid in the server log: ${s.out.slice(0, 500)}`);
  return Number(m[1]);
}

/** `p`, or 'timeout' after `ms` (the timer is cleared, so it never holds the test process). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<'timeout'>((r) => (timer = setTimeout(r, ms, 'timeout')))]);
  } finally {
    clearTimeout(timer);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function login(url: string, email: string, password: string): Promise<Response> {
  return fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

describe('npm start', { timeout: FIRST_START_MS + 60_000 }, () => {
  let tmp: string;
  let data: string;
  const started: Started[] = [];
  let firstHeight = -1;
  let users = 0;
  let credsMtime = 0;

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'medledger-npm-start-'));
    data = join(tmp, 'data');
  });
  after(() => {
    for (const s of started) killGroup(s);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('success: from an empty directory to a healthy node with demo users', async (t) => {
    const port = await freePort();
    const s = start(data, port);
    started.push(s);
    const { ms, height } = await healthy(s, FIRST_START_MS);
    t.diagnostic(`first start healthy after ${String(Math.round(ms))} ms, height ${String(height)}`);
    firstHeight = height;
    assert.match(s.err, new RegExp(`MedLedger node for .+ at http://127\\.0\\.0\\.1:${String(port)}`));

    const file = join(data, 'demo-credentials.json');
    const st = statSync(file);
    assert.equal(st.mode & 0o777, 0o600);
    credsMtime = st.mtimeMs;
    assert.equal(statSync(data).mode & 0o077, 0, 'the data directory is private');
    const creds = JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
    assert.deepEqual([...new Set(creds.users.map((u) => u.role))].sort(), [...ROLES].sort());
    for (const u of creds.users) {
      assert.match(u.email, /^[^@\s]+@[^@\s]+\.example$/);
      assert.equal(u.password, DEMO_PASSWORD);
    }
    // Every demo user can log in; the admin sees them all.
    let adminToken = '';
    for (const u of creds.users) {
      const r = await login(s.url, u.email, u.password);
      assert.equal(r.status, 200, `${u.email}: ${await r.clone().text()}`);
      const body = (await r.json()) as { token: string; user: { role: string } };
      assert.equal(body.user.role, u.role);
      if (u.role === 'admin') adminToken = body.token;
    }
    const list = await fetch(`${s.url}/api/v1/users`, { headers: { authorization: `Bearer ${adminToken}` } });
    users = ((await list.json()) as unknown[]).length;
    assert.ok(users >= creds.users.filter((u) => u.email.endsWith('stmarys.example')).length);
    // The 100 synthetic patients' records are on the chain.
    const doctor = creds.users.find((u) => u.role === 'doctor')!;
    const token = ((await (await login(s.url, doctor.email, doctor.password)).json()) as { token: string })
      .token;
    const found = await fetch(`${s.url}/api/v1/patients?limit=200`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(found.status, 200);
    assert.ok(((await found.json()) as unknown[]).length >= 50);
  });

  it('success: every role has something to see: named patient, consented cohort, a cross-hospital read', async () => {
    const s = started[0]!;
    const as = async (email: string): Promise<(path: string) => Promise<Response>> => {
      const { token } = (await (await login(s.url, email, DEMO_PASSWORD)).json()) as { token: string };
      return (path) => fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    };
    // The patient's account bears the name of the patient whose chart it opens.
    const patient = await as('patient@stmarys.example');
    const me = (await (await patient('/api/v1/auth/me')).json()) as { name: string };
    const [own] = (await (await patient('/api/v1/patients')).json()) as { id: string; name: string }[];
    assert.ok(own);
    assert.equal(me.name, own.name);
    // The researcher's cohort is a third of the patients or so, never empty.
    const research = await as('research@stmarys.example');
    const cohort = (await (await research('/api/v1/research/cohorts')).json()) as {
      persons: { count: number | null };
    };
    assert.ok((cohort.persons.count ?? 0) >= 20, JSON.stringify(cohort.persons));
    const omop = await research('/api/v1/research/omop');
    assert.equal(omop.status, 200);
    // The other hospital's doctor reads the consenting patient's records, and only that patient.
    const patel = await as('dr.patel@riverside.example');
    const visible = (await (await patel('/api/v1/patients')).json()) as { id: string }[];
    assert.deepEqual(
      visible.map((p) => p.id),
      [own.id],
    );
    const records = await patel(`/api/v1/patients/${own.id}/records`);
    assert.equal(records.status, 200);
    assert.ok(((await records.json()) as unknown[]).length > 0);
  });

  it('success: SIGTERM stops the server cleanly, exit code 0', async () => {
    const s = started[0]!;
    const pid = serverPid(s);
    process.kill(pid, 'SIGTERM');
    const exit = await within(s.exited, 30_000);
    assert.deepEqual(exit, { code: 0, signal: null }, s.err.slice(-1000));
    assert.ok(!alive(pid));
    assert.match(s.err, /SIGTERM: finishing requests in flight/);
  });

  it('success: a restart reuses the data without seeding again', async (t) => {
    const s = start(data, await freePort());
    started.push(s);
    const { ms, height } = await healthy(s, RESTART_MS);
    t.diagnostic(`restart healthy after ${String(Math.round(ms))} ms, height ${String(height)}`);
    assert.ok(height >= firstHeight, `height ${String(height)} < ${String(firstHeight)}`);
    assert.equal(statSync(join(data, 'demo-credentials.json')).mtimeMs, credsMtime);
    const creds = JSON.parse(readFileSync(join(data, 'demo-credentials.json'), 'utf8')) as DemoCredentials;
    const admin = creds.users.find((u) => u.role === 'admin')!;
    const r = await login(s.url, admin.email, admin.password);
    assert.equal(r.status, 200);
    const token = ((await r.json()) as { token: string }).token;
    const list = await fetch(`${s.url}/api/v1/users`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(((await list.json()) as unknown[]).length, users);
  });

  it('SIGTERM to npm itself stops the server', async () => {
    const s = started[1]!;
    const pid = serverPid(s);
    process.kill(s.child.pid!, 'SIGTERM');
    await s.exited;
    const deadline = Date.now() + 3000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const orphaned = alive(pid);
    if (orphaned) killGroup(s, 'SIGTERM');
    assert.ok(!orphaned, 'the node server outlived npm');
  });
});
