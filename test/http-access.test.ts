/**
 * @module
 * Access-control findings through the real server: another hospital's doctor cannot write into a
 * chart without a treatment relationship (403, break glass allowed and audited); a subject must be a
 * patient of this node and an amendment keeps it (422 naming the path); a research consent does not
 * open identified reads (403 on the native and FHIR APIs) while the de-identified export works; one
 * admin cannot bind a login to a patient (a second admin approves, and the patient's log shows it);
 * the Host header never makes the node's URLs.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { syntheticPatients } from '../src/sim/synthetic.ts';
import { DEMO, startTestNode } from './support/http-node.ts';
import { DEMO_PASSWORD } from '../src/cli/demo-data.ts';
import { until } from './support/until.ts';
import type { TestNode } from './support/http-node.ts';

const observation = (subject: string, text = 'Heart rate'): Record<string, unknown> => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text },
  subject: { reference: subject },
});

describe('access control over HTTP', () => {
  let t: TestNode;
  let chen: string;
  let patel: string;
  let patientId: string;

  before(async () => {
    t = await startTestNode({ patients: 2 });
    chen = await t.login(DEMO.chen);
    patel = await t.login(DEMO.patel);
    patientId = syntheticPatients(1, { seed: 1, now: t.node.now })[0]!.patient.id!;
  });
  after(async () => {
    await t.close();
  });

  it("refuses another hospital's doctor writing into the chart (403), unless they break the glass", async () => {
    const denied = await t.api('/api/v1/records', {
      token: patel,
      body: observation(`Patient/${patientId}`),
    });
    assert.equal(denied.status, 403);
    assert.equal(((await denied.json()) as { error: { code: string } }).error.code, 'ML_ERR_ACCESS_DENIED');
    const glass = await t.api(
      `/api/v1/records?breakGlassReason=${encodeURIComponent('unconscious in ER bay 3')}`,
      { token: patel, body: observation(`Patient/${patientId}`) },
    );
    assert.equal(glass.status, 201);
    const own = await t.api('/api/v1/records', { token: chen, body: observation(`Patient/${patientId}`) });
    assert.equal(own.status, 201);
    const fhir = await t.api('/fhir/R4/Observation', {
      token: patel,
      body: observation(`Patient/${patientId}`),
      headers: { 'content-type': 'application/fhir+json' },
    });
    assert.equal(fhir.status, 403);
  });

  it('answers 422 naming the path for a subject that is not a patient of this node', async () => {
    for (const subject of ['Patient/', 'http://evil.example/fhir/Patient/x', 'Patient/nobody-here']) {
      const r = await t.api('/fhir/R4/Observation', {
        token: chen,
        body: observation(subject),
        headers: { 'content-type': 'application/fhir+json' },
      });
      assert.equal(r.status, 422, subject);
      const outcome = (await r.json()) as { issue: { expression?: string[] }[] };
      assert.deepEqual(outcome.issue[0]!.expression, ['Observation.subject'], subject);
    }
  });

  it("answers 422 to an amendment that changes the record's patient", async () => {
    const made = (await (
      await t.api('/api/v1/records', { token: chen, body: observation(`Patient/${patientId}`) })
    ).json()) as { id: string };
    const other = await t.api('/api/v1/records', { token: chen, body: observation('Patient/nobody-here') });
    assert.equal(other.status, 422);
    const r = await t.api(`/api/v1/records/${made.id}/amendments`, {
      token: chen,
      body: observation('Patient/someone-else'),
    });
    assert.equal(r.status, 422);
  });

  it('keeps identified records from a research consent; the de-identified export still works', async () => {
    const patient = await t.login(DEMO.patient);
    const grant = await t.api('/api/v1/consents', {
      token: patient,
      body: {
        grantee: { kind: 'organization', orgId: 'st-marys' },
        purpose: 'research',
        validTo: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    assert.equal(grant.status, 201, await grant.clone().text());
    const research = await t.login(DEMO.research);
    const records = await t.api(`/api/v1/patients/${patientId}/records?purpose=research`, {
      token: research,
    });
    assert.equal(records.status, 403);
    const body = (await records.json()) as { error: { data: { reason: string } } };
    assert.equal(body.error.data.reason, 'deidentified-only');
    const fhir = await t.api(`/fhir/R4/Patient/${patientId}`, { token: research });
    assert.equal(fhir.status, 403);
    const omop = await t.api('/api/v1/research/omop', { token: research });
    assert.equal(omop.status, 200, await omop.clone().text());
    const body2 = (await omop.json()) as { counts: { person: number } };
    assert.equal(body2.counts.person, 1);
  });

  it("needs two admins to bind a login to a patient, and shows the binding in the patient's log", async () => {
    const admin = await t.login(DEMO.admin);
    const [own, other] = syntheticPatients(2, { seed: 1, now: t.node.now }).map((p) => p.patient.id!);
    const shadow = (patientId: string): Record<string, unknown> => ({
      email: `shadow-${patientId.slice(0, 8)}@stmarys.example`,
      name: 'Shadow',
      password: 'shadow password 123',
      role: 'patient',
      patientId,
    });
    // The demo patient already has a login: a second one is refused.
    assert.equal((await t.api('/api/v1/users', { token: admin, body: shadow(own!) })).status, 400);
    const asked = await t.api('/api/v1/users', { token: admin, body: shadow(other!) });
    assert.equal(asked.status, 202);
    const user = (await asked.json()) as { keyId: string; active: boolean; pendingApproval: boolean };
    assert.deepEqual([user.active, user.pendingApproval], [false, true]);
    const login = (): Promise<Response> =>
      t.api('/api/v1/auth/login', { body: { email: shadow(other!).email, password: 'shadow password 123' } });
    assert.equal((await login()).status, 401);
    assert.equal(
      (await t.api(`/api/v1/users/${user.keyId}/approve`, { token: admin, method: 'POST' })).status,
      403,
    );

    const made = await t.api('/api/v1/users', {
      token: admin,
      body: { email: 'second.admin@stmarys.example', name: 'Second', password: DEMO_PASSWORD, role: 'admin' },
    });
    assert.equal(made.status, 201);
    const second = await t.login('second.admin@stmarys.example');
    const pending = (await (await t.api('/api/v1/users/pending', { token: second })).json()) as {
      keyId: string;
    }[];
    assert.deepEqual(
      pending.map((p) => p.keyId),
      [user.keyId],
    );
    assert.equal(
      (await t.api(`/api/v1/users/${user.keyId}/approve`, { token: second, method: 'POST' })).status,
      201,
    );
    const r = await login();
    assert.equal(r.status, 200);
    const token = ((await r.json()) as { token: string }).token;
    assert.equal((await t.api(`/api/v1/patients/${other!}/records`, { token })).status, 200);

    const auditor = await t.login(DEMO.auditor);
    interface Event {
      action: string;
      reason: string;
      binding?: { login: string };
      viaBoundLogin?: { requestedBy: string };
      requester: { keyId: string };
    }
    let log: Event[] = [];
    // A read answers before its access event is in a block: wait for the block.
    await until("the bound login's read in the access log", async () => {
      log = (await (
        await t.api(`/api/v1/patients/${other!}/access-log?order=newest`, { token: auditor })
      ).json()) as Event[];
      return log.some((e) => e.action === 'read' && e.requester.keyId === user.keyId);
    });
    const bind = log.find((e) => e.action === 'bind');
    assert.equal(bind?.binding?.login, user.keyId);
    assert.equal(bind.reason, 'two-admins');
    const read = log.find((e) => e.action === 'read' && e.requester.keyId === user.keyId);
    const me = (await (await t.api('/api/v1/auth/me', { token: admin })).json()) as { keyId: string };
    assert.equal(read?.viaBoundLogin?.requestedBy, me.keyId);
  });

  it("builds Location and fullUrl from the node's own URL, never from the Host header", async () => {
    const body = JSON.stringify(observation(`Patient/${patientId}`));
    const { status, location } = await new Promise<{ status: number; location: string }>(
      (resolve, reject) => {
        const u = new URL(`${t.url}/fhir/R4/Observation`);
        const req = request(
          {
            host: u.hostname,
            port: u.port,
            path: u.pathname,
            method: 'POST',
            headers: {
              host: 'evil.example',
              authorization: `Bearer ${chen}`,
              'content-type': 'application/fhir+json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, location: String(res.headers.location) });
          },
        );
        req.on('error', reject);
        req.end(body);
      },
    );
    assert.equal(status, 201);
    assert.ok(location.startsWith(`${t.url}/fhir/R4/Observation/`), location);
  });

  it('uses the configured public URL for Location', async () => {
    const p = await startTestNode({ patients: 1, server: { publicUrl: 'https://fhir.example.org/' } });
    try {
      const token = await p.login(DEMO.chen);
      const r = await p.api('/fhir/R4/Observation', {
        token,
        body: observation(`Patient/${patientId}`),
        headers: { 'content-type': 'application/fhir+json' },
      });
      assert.equal(r.status, 201);
      assert.match(r.headers.get('location') ?? '', /^https:\/\/fhir\.example\.org\/fhir\/R4\/Observation\//);
    } finally {
      await p.close();
    }
  });
});
