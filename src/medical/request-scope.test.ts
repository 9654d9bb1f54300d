/**
 * @module
 * The request scope the API gets: its writes resolve once they are committed (with height and time),
 * a batch shares blocks and stops at the first failure when asked, and the per-user services (API
 * tokens, access requests, erasure requests) answer for the caller only.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Resource } from '@medplum/fhirtypes';
import { tempDir, TWO_PATIENTS } from '../chain/chain-fixtures.test-util.ts';
import { writeResources } from './importer.ts';
import { MedicalNode } from './medical-node.ts';
import type { RecordWrite } from './request-scope.ts';

const PW = 'request scope test password';
const OPTS = { kdf: { N: 2 ** 10, r: 8, p: 1 }, adminPassword: PW, difficulty: 2 } as const;

const observation = (id: string, text: string, patient = 'pa'): Resource => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { text },
  subject: { reference: `Patient/${patient}` },
});

describe('request scope', () => {
  let node: MedicalNode;
  before(async () => {
    node = (await MedicalNode.open(join(tempDir(), 'node'), OPTS)).node;
    await writeResources(node, TWO_PATIENTS);
    await node.createUser({ email: 'doc@a.example', name: 'Doc', password: PW, role: 'doctor' });
    for (const p of ['pa', 'pb'])
      await node.createUser({
        email: `${p}@a.example`,
        name: p,
        password: PW,
        role: 'patient',
        patientId: p,
      });
    node.produceBlocks();
  });
  after(async () => {
    await node.close();
  });

  it('resolves a write once its block is committed, with its height and time', async () => {
    const doc = node.forRequest(node.login('doc@a.example', PW));
    const w = await doc.addRecord(observation('rs-1', 'first'));
    assert.equal(node.ledger.isPending(w.tx), false);
    assert.equal(w.height, node.state.records.get('rs-1')?.height);
    assert.ok(w.height !== undefined && w.height <= node.ledger.height);
    assert.equal(w.time, node.state.records.get('rs-1')?.time);
    const amended = await doc.putRecord('rs-1', observation('rs-1', 'first, corrected'));
    assert.equal(amended.created, false);
    assert.equal(amended.version, 2);
    assert.equal(node.ledger.isPending(amended.tx), false);
    const created = await doc.putRecord('rs-2', observation('rs-2', 'second'));
    assert.equal(created.created, true);
    assert.equal(created.version, 1);
  });

  it('writes a batch into shared blocks, and stops at the first failure when asked', async () => {
    const doc = node.forRequest(node.login('doc@a.example', PW));
    const entries = Array.from({ length: 12 }, (_, i) => ({
      method: 'POST' as const,
      resource: observation(`rs-batch-${String(i)}`, `batch ${String(i)}`),
    }));
    const heightBefore = node.ledger.height;
    const all = await doc.writeEach(entries, true);
    assert.equal(all.length, 12);
    for (const o of all) {
      assert.ok(o.ok);
      assert.equal(node.ledger.isPending(o.write.tx), false);
    }
    assert.ok(node.ledger.height - heightBefore < 12, 'the batch shares blocks');

    const clash = [
      { method: 'POST' as const, resource: observation('rs-t-1', 'one') },
      { method: 'POST' as const, resource: observation('rs-batch-0', 'exists already') },
      { method: 'POST' as const, resource: observation('rs-t-3', 'never written') },
    ];
    const stopped = await doc.writeEach(clash, true);
    assert.deepEqual(
      stopped.map((o) => o.ok),
      [true, false],
    );
    assert.equal(node.state.records.has('rs-t-3'), false);
    const renamed: RecordWrite[] = clash.map((e) => ({
      ...e,
      resource: { ...e.resource, id: `${e.resource.id!}-b` },
    }));
    const batch = await doc.writeEach([...renamed, clash[1]!], false);
    assert.deepEqual(
      batch.map((o) => o.ok),
      [true, true, true, false],
    );
    assert.equal(node.state.records.has('rs-t-3-b'), true);
  });

  it('grants consent and answers erasure requests for the caller only, committed', async () => {
    const pa = node.forRequest(node.login('pa@a.example', PW));
    const pb = node.forRequest(node.login('pb@a.example', PW));
    const tx = await pa.grantConsent({
      grantee: { kind: 'organization', orgId: 'st-marys' },
      purpose: 'research',
      validTo: Date.now() + 86_400_000,
    });
    assert.equal(node.ledger.isPending(tx), false);
    assert.equal(pa.consent(tx)?.id, tx);
    const request = await pa.requestErasure(null);
    assert.equal(node.ledger.isPending(request), false);
    assert.deepEqual(
      pa.erasureRequests().map((r) => r.tx),
      [request],
    );
    assert.deepEqual(pb.erasureRequests(), []);
  });

  it('keeps API tokens and access requests to their owner', async () => {
    const doc = node.forRequest(node.login('doc@a.example', PW));
    const pa = node.forRequest(node.login('pa@a.example', PW));
    const pb = node.forRequest(node.login('pb@a.example', PW));
    const t = doc.createApiToken('script', { now: Date.now() });
    assert.deepEqual(
      doc.apiTokens().map((x) => x.id),
      [t.info.id],
    );
    assert.deepEqual(pa.apiTokens(), []);
    assert.throws(() => pa.revokeApiToken(t.info.id, Date.now()), { code: 'ML_ERR_NOT_FOUND' });
    assert.equal(node.tokenSession(t.token, Date.now()).keyId, doc.session.keyId);

    assert.throws(() => pa.requestAccess('pb', 'treatment', 'not a doctor'), {
      code: 'ML_ERR_ROLE_FORBIDDEN',
    });
    const r = doc.requestAccess('pb', 'treatment', 'follow-up of the referral');
    assert.deepEqual(
      pb.accessRequests().map((x) => x.id),
      [r.id],
    );
    assert.deepEqual(pa.accessRequests(), []);
    assert.throws(() => pa.declineAccessRequest(r.id), { code: 'ML_ERR_NOT_FOUND' });
    const approved = await pb.approveAccessRequest(r.id, Date.now() + 86_400_000);
    assert.equal(approved.status, 'approved');
    assert.equal(node.ledger.isPending(approved.consent!), false);
    assert.equal(pb.consent(approved.consent!)?.purpose, 'treatment');
  });

  it('gives an API token a default lifetime, and refuses one beyond the maximum', () => {
    const doc = node.forRequest(node.login('doc@a.example', PW));
    const now = Date.now();
    const day = 86_400_000;
    assert.equal(doc.createApiToken('default', { now }).info.expires, now + 90 * day);
    assert.equal(
      doc.createApiToken('a year', { now, expires: now + 365 * day }).info.expires,
      now + 365 * day,
    );
    assert.throws(() => doc.createApiToken('too long', { now, expires: now + 366 * day }), {
      code: 'ML_ERR_ARG_VALUE',
    });
  });
});
