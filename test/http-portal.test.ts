/**
 * @module
 * What the portal needs from the node, over HTTP: the built portal at `/` (public, no data, hashed
 * assets cached, index never), the demo picker only on demo nodes, the directory of organizations
 * and doctors, a patient finding only themself, and access requests end to end — a doctor of another
 * organization asks, the patient approves (a consent on the chain) and the doctor can read; a
 * declined request grants nothing; nobody else can decide a patient's request.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO, startTestNode } from './support/http-node.ts';
import type { TestNode } from './support/http-node.ts';

async function json<T>(r: Response, status: number): Promise<T> {
  const text = await r.text();
  assert.equal(r.status, status, text);
  return JSON.parse(text) as T;
}

interface Req {
  id: string;
  status: string;
  purpose: string;
  patientId?: string;
  requester: { keyId: string; name: string; org: string };
  consent?: string;
}

describe('portal support over HTTP', { timeout: 120_000 }, () => {
  let t: TestNode;
  let portal: string;
  const tok: Record<string, string> = {};
  let patientId: string;
  before(async () => {
    portal = mkdtempSync(join(tmpdir(), 'medledger-portal-'));
    mkdirSync(join(portal, 'assets'));
    writeFileSync(
      join(portal, 'index.html'),
      '<!doctype html><title>portal</title><script src="/assets/app-1.js"></script>',
    );
    writeFileSync(join(portal, 'assets', 'app-1.js'), 'console.log(1)');
    t = await startTestNode({ patients: 3, server: { portalDir: `${portal}/` } });
    for (const k of ['admin', 'chen', 'patel', 'patient', 'research'] as const)
      tok[k] = await t.login(DEMO[k]);
    const self = await json<{ id: string }[]>(await t.api('/api/v1/patients', { token: tok.patient! }), 200);
    assert.equal(self.length, 1, 'a patient finds exactly one patient: themself');
    patientId = self[0]!.id;
  });
  after(async () => {
    await t.close();
    rmSync(portal, { recursive: true, force: true });
  });

  it('serves the portal at / without authentication; assets cached, the page never', async () => {
    const page = await t.api('/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await page.text(), /<title>portal<\/title>/);
    const js = await t.api('/assets/app-1.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await t.api('/assets/missing.js')).status, 404);
    assert.equal((await t.api('/../package.json')).status, 404);
  });

  it('falls back to the landing page when the portal is not built', async () => {
    const bare = await startTestNode({ patients: 0, server: { portalDir: join(portal, 'nothing/') } });
    try {
      const r = await bare.api('/');
      assert.equal(r.status, 200);
      assert.match(await r.text(), /MedLedger node/);
    } finally {
      await bare.close();
    }
  });

  it('lists demo identities on demo nodes only', async () => {
    const d = await json<{ password: string; identities: { email: string; role: string }[] }>(
      await t.api('/api/v1/demo'),
      200,
    );
    assert.deepEqual(d.identities.map((i) => i.role).sort(), [
      'admin',
      'auditor',
      'doctor',
      'doctor',
      'doctor',
      'patient',
      'researcher',
    ]);
    const plain = await startTestNode({ patients: 0, server: { demo: undefined } });
    try {
      const r = await json<{ error: { code: string } }>(await plain.api('/api/v1/demo'), 404);
      assert.equal(r.error.code, 'ML_ERR_NOT_FOUND');
    } finally {
      await plain.close();
    }
  });

  it('gives members a directory of organizations and active doctors, and nobody else', async () => {
    assert.equal((await t.api('/api/v1/directory')).status, 401);
    const d = await json<{ organizations: { id: string }[]; practitioners: { name: string; org: string }[] }>(
      await t.api('/api/v1/directory', { token: tok.patient! }),
      200,
    );
    assert.deepEqual(d.organizations.map((o) => o.id).sort(), ['riverside', 'st-marys']);
    assert.deepEqual(d.practitioners.map((p) => `${p.name}@${p.org}`).sort(), [
      'Chidi Okafor@st-marys',
      'Mei Chen@st-marys',
      'Priya Patel@riverside',
    ]);
  });

  it('lets a doctor ask a patient for access; approval grants consent on the chain', async () => {
    const records = `/api/v1/patients/${patientId}/records`;
    const denied = await json<{ error: { code: string } }>(await t.api(records, { token: tok.patel! }), 403);
    assert.equal(denied.error.code, 'ML_ERR_ACCESS_DENIED');
    const body = { patientId, purpose: 'treatment', reason: 'Referral for cardiology follow-up' };
    const req = await json<Req>(await t.api('/api/v1/access-requests', { token: tok.patel!, body }), 201);
    assert.equal(req.status, 'pending');
    assert.equal(req.patientId, patientId);
    const again = await json<{ error: { code: string } }>(
      await t.api('/api/v1/access-requests', { token: tok.patel!, body }),
      400,
    );
    assert.equal(again.error.code, 'ML_ERR_ARG_VALUE');
    const mine = await json<Req[]>(await t.api('/api/v1/access-requests', { token: tok.patient! }), 200);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.requester.name, 'Priya Patel');
    assert.equal(mine[0]!.patientId, undefined, 'the patient is not shown their own id back');
    // Only that patient decides.
    const validTo = new Date(Date.now() + 86_400_000).toISOString();
    await json(
      await t.api(`/api/v1/access-requests/${req.id}/approve`, { token: tok.patel!, body: { validTo } }),
      403,
    );
    const approved = await json<Req>(
      await t.api(`/api/v1/access-requests/${req.id}/approve`, { token: tok.patient!, body: { validTo } }),
      200,
    );
    assert.equal(approved.status, 'approved');
    assert.match(approved.consent ?? '', /^[0-9a-f]{64}$/);
    const tx = await json<{ body: string }>(
      await t.api(`/api/v1/chain/txs/${approved.consent!}`, { token: tok.admin! }),
      200,
    );
    assert.match(tx.body, /consent\.grant/);
    const rows = await json<unknown[]>(await t.api(records, { token: tok.patel! }), 200);
    assert.ok(rows.length > 0);
    await json(
      await t.api(`/api/v1/access-requests/${req.id}/approve`, { token: tok.patient!, body: { validTo } }),
      400,
    );
  });

  it('a declined request grants nothing; requests about unknown patients and by non-doctors fail', async () => {
    const others = await json<{ id: string }[]>(await t.api('/api/v1/patients', { token: tok.chen! }), 200);
    const other = others.find((p) => p.id !== patientId)!;
    const denied = await json<{ error: { code: string } }>(
      await t.api('/api/v1/access-requests', {
        token: tok.patel!,
        body: { patientId: other.id, purpose: 'research', reason: 'Study enrolment' },
      }),
      201,
    );
    assert.ok(denied);
    const own = await json<Req[]>(await t.api('/api/v1/access-requests', { token: tok.patient! }), 200);
    assert.ok(!own.some((r) => r.purpose === 'research'), "another patient's request is not shown");
    await json(
      await t.api('/api/v1/access-requests', {
        token: tok.patel!,
        body: { patientId: 'no-such-patient', purpose: 'treatment', reason: 'Looking around' },
      }),
      404,
    );
    await json(
      await t.api('/api/v1/access-requests', {
        token: tok.research!,
        body: { patientId, purpose: 'research', reason: 'Study enrolment' },
      }),
      403,
    );
    const req = (await json<Req[]>(await t.api('/api/v1/access-requests', { token: tok.patel! }), 200)).find(
      (r) => r.patientId === other.id,
    )!;
    await json(
      await t.api(`/api/v1/access-requests/${req.id}/decline`, { token: tok.patient!, body: {} }),
      404,
    );
  });
});
