/**
 * @module
 * Starts a real MedLedger node server on 127.0.0.1 (random port) for HTTP tests: a fresh data
 * directory, demo organizations and users (password DEMO_PASSWORD), `patients` synthetic patients,
 * a cheap KDF so logins are fast, no logs. `close()` stops the server and removes the directory.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer } from '../../src/api/server.ts';
import type { NodeServer, ServerOptions } from '../../src/api/server.ts';
import { conditionNames, DEMO_PASSWORD } from '../../src/cli/demo-data.ts';
import { demoInfo, seedDemo } from '../../src/cli/commands/serve.ts';
import { MedicalNode } from '../../src/medical/medical-node.ts';
import { DEMO_ORGS, demoStaff } from '../../src/sim/synthetic.ts';

export const TEST_KDF = { N: 2 ** 10, r: 8, p: 1 } as const;

export interface TestNode {
  readonly url: string;
  readonly dir: string;
  readonly server: NodeServer;
  readonly node: MedicalNode;
  /** Logs in over HTTP and returns the session token. */
  login(email: string, password?: string): Promise<string>;
  /** fetch against the node with an optional bearer token and JSON body. */
  api(
    path: string,
    init?: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

export const DEMO = Object.fromEntries(
  demoStaff().map((u) => [u.email.split('@')[0]!.replace(/^dr\./, ''), u.email]),
) as Record<'admin' | 'chen' | 'okafor' | 'patel' | 'research' | 'auditor' | 'patient', string>;

export async function startTestNode(
  opts: { patients?: number; server?: Partial<ServerOptions>; difficulty?: number } = {},
): Promise<TestNode> {
  const dir = mkdtempSync(join(tmpdir(), 'medledger-http-'));
  const { node } = await MedicalNode.open(dir, {
    org: { id: DEMO_ORGS[0]!.slug, name: DEMO_ORGS[0]!.name },
    adminEmail: DEMO.admin,
    adminPassword: DEMO_PASSWORD,
    kdf: TEST_KDF,
    difficulty: opts.difficulty ?? 4,
  });
  // The tests start from no consent; `npm start` seeds the demo's (test/npm-start.test.ts).
  await seedDemo(node, dir, opts.patients ?? 3, false);
  const server = await buildServer({
    node,
    logger: false,
    monitorIntervalMs: 500,
    demo: demoInfo(node),
    conditionNames: conditionNames(),
    ...opts.server,
  });
  const url = await server.listen(0, '127.0.0.1');
  const api: TestNode['api'] = (path, init = {}) =>
    fetch(`${url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(30_000),
    });
  return {
    url,
    dir,
    server,
    node,
    api,
    async login(email, password = DEMO_PASSWORD) {
      const r = await api('/api/v1/auth/login', { body: { email, password } });
      if (r.status !== 200) throw new Error(`login ${email}: ${String(r.status)} ${await r.text()}`);
      return ((await r.json()) as { token: string }).token;
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Adds `n` Observations of `patientId` over the native API (each must answer 201); their record ids. */
export async function postObservations(
  t: TestNode,
  token: string,
  patientId: string,
  label: string,
  n: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await t.api('/api/v1/records', {
      token,
      body: {
        resourceType: 'Observation',
        status: 'final',
        code: { text: `${label} ${String(i)}` },
        subject: { reference: `Patient/${patientId}` },
      },
    });
    assert.equal(r.status, 201);
    ids.push(((await r.json()) as { id: string }).id);
  }
  return ids;
}

/**
 * Gives each of `patientIds` a login (`<prefix>-<i>@stmarys.example`, the demo password) the way a
 * node allows it: the demo admin asks, a second admin (made once) approves. Their session tokens.
 */
export async function enrollPatients(
  t: TestNode,
  patientIds: readonly string[],
  prefix: string,
): Promise<string[]> {
  const admin = await t.login(DEMO.admin);
  const second = { email: 'second.admin@stmarys.example', name: 'Second Admin', password: DEMO_PASSWORD };
  const made = await t.api('/api/v1/users', { token: admin, body: { ...second, role: 'admin' } });
  assert.ok(made.status === 201 || made.status === 409, String(made.status));
  const approver = await t.login(second.email);
  return Promise.all(
    patientIds.map(async (patientId, i) => {
      const email = `${prefix}-${String(i)}@stmarys.example`;
      const body = { email, name: `P ${String(i)}`, password: DEMO_PASSWORD, role: 'patient', patientId };
      const asked = await t.api('/api/v1/users', { token: admin, body });
      assert.equal(asked.status, 202);
      const { keyId } = (await asked.json()) as { keyId: string };
      const approved = await t.api(`/api/v1/users/${keyId}/approve`, { token: approver, method: 'POST' });
      assert.equal(approved.status, 201);
      return t.login(email);
    }),
  );
}
