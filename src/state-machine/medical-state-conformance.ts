/**
 * @module
 * The conformance suite every `MedicalStateStore` passes (like store/conformance.ts for stores): the
 * state a sequence of blocks gives, pages of a patient's records, the admission rules, and a property
 * test that the implementation agrees with the in-memory reference (`MedicalState`) on any sequence.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Json } from '../core/canonical-json.ts';
import { signerFromSeed } from '../core/keys.ts';
import { createTx } from '../core/tx.ts';
import type { Tx, TxType } from '../core/tx.ts';
import { admissible, MedicalState } from './medical-state.ts';
import type { MedicalStateStore, MedicalStateView, PatientRecordTest } from './medical-state.ts';

export interface MedicalStateFactory {
  /** A new, empty state; `close` releases what it holds. */
  create(isPatientRecord: PatientRecordTest): { state: MedicalStateStore; close(): void };
}

const doctor = signerFromSeed(new Uint8Array(32).fill(7));
const hex = (s: string): string => createHash('sha256').update(s).digest('hex');
const P = hex('patient P');
const Q = hex('patient Q');
const isPatientRecord: PatientRecordTest = (id) => id.startsWith('pat-');

let n = 0;
function tx(type: TxType, payload: Json): Tx {
  n++;
  return createTx(doctor, type, payload, {
    time: 1_700_000_000_000 + n,
    nonce: n.toString(16).padStart(32, '0'),
  });
}

const add = (record: string, patient?: string): Tx =>
  tx('record.add', { record, ...(patient ? { patient } : {}), org: 'st-marys', blob: hex(record), size: 10 });
const amend = (record: string, amends: string, patient: string): Tx =>
  tx('record.amend', { record, amends, patient, org: 'st-marys', blob: hex(record), size: 11 });
const grant = (patient: string, orgId = 'riverside'): Tx =>
  tx('consent.grant', {
    patient,
    grantee: { kind: 'organization', orgId },
    scope: {},
    purpose: 'treatment',
    validFrom: 1,
    validTo: 2_000_000_000_000,
  });
const revoke = (consent: string): Tx => tx('consent.revoke', { consent });
const request = (patient: string, records: string[] | null): Tx =>
  tx('erasure.request', { patient, records });
const erase = (req: string, records: string[]): Tx => tx('record.erase', { request: req, records });

/** Applies `blocks` at the next heights (0 for an empty state), with rising log positions. */
function applyBlocks(state: MedicalStateStore, blocks: readonly (readonly Tx[])[]): void {
  let seq = state.height < 0 ? 1 : 1_000_000 + state.height * 10_000;
  for (const txs of blocks) {
    const height = state.height + 1;
    state.apply(
      txs,
      height,
      txs.map(() => seq++),
    );
  }
}

/** Everything a view answers, in a form two implementations can be compared by. */
export function snapshot(v: MedicalStateView): unknown {
  const patients = [...v.patients()].sort();
  return {
    height: v.height,
    consentEpoch: v.consentEpoch,
    records: [...v.records.values()],
    consents: [...v.consents.values()],
    requests: [...v.erasureRequests.values()],
    patients,
    byPatient: patients.map((p) => ({
      all: v.recordsOf(p).map((r) => r.id),
      count: v.countRecordsOf(p),
      consents: v.consentsOf(p).map((c) => c.id),
    })),
    patientRecords: [...v.patientRecords()].map((r) => r.id),
  };
}

export function medicalStateConformance(name: string, factory: MedicalStateFactory): void {
  const withState = (f: (s: MedicalStateStore) => void): void => {
    const made = factory.create(isPatientRecord);
    try {
      f(made.state);
    } finally {
      made.close();
    }
  };

  describe(`MedicalStateStore conformance: ${name}`, () => {
    it('starts empty', () => {
      withState((s) => {
        assert.equal(s.height, -1);
        assert.equal(s.consentEpoch, 0);
        assert.equal(s.records.get('x'), undefined);
        assert.equal(s.records.has('x'), false);
        assert.deepEqual(s.recordsOf(P), []);
        assert.equal(s.countRecordsOf(P), 0);
        assert.deepEqual([...s.patients()], []);
      });
    });

    it('keeps records, amendments and each patient’s originals in chain order', () => {
      withState((s) => {
        const a = add('pat-1', P);
        applyBlocks(s, [[a, add('b', P)], [add('c', Q), add('org-1')], [amend('a2', 'pat-1', P)]]);
        assert.equal(s.height, 2);
        const rec = s.records.get('pat-1')!;
        assert.deepEqual(
          { ...rec },
          {
            id: 'pat-1',
            patient: P,
            org: 'st-marys',
            author: doctor.keyId,
            blob: hex('pat-1'),
            size: 10,
            tx: a.id,
            height: 0,
            time: a.body.time,
            amends: undefined,
            amendedBy: ['a2'],
          },
        );
        assert.equal(s.records.get('a2')!.amends, 'pat-1');
        assert.equal(s.records.get('org-1')!.patient, undefined);
        assert.deepEqual(
          s.recordsOf(P).map((r) => r.id),
          ['pat-1', 'b'],
        );
        assert.equal(s.countRecordsOf(P), 2);
        assert.deepEqual([...s.patients()].sort(), [P, Q].sort());
        assert.deepEqual(
          [...s.records.values()].map((r) => r.id),
          ['pat-1', 'b', 'c', 'org-1', 'a2'],
        );
        assert.deepEqual(
          [...s.patientRecords()].map((r) => r.id),
          ['pat-1'],
        );
      });
    });

    it('pages a patient’s records by the last id seen', () => {
      withState((s) => {
        applyBlocks(s, [Array.from({ length: 7 }, (_, i) => add(`r${String(i)}`, P)), [add('q', Q)]]);
        const ids = (page: { after?: string; limit?: number }): string[] =>
          s.recordsOf(P, page).map((r) => r.id);
        assert.deepEqual(ids({ limit: 3 }), ['r0', 'r1', 'r2']);
        assert.deepEqual(ids({ after: 'r2', limit: 3 }), ['r3', 'r4', 'r5']);
        assert.deepEqual(ids({ after: 'r5', limit: 3 }), ['r6']);
        assert.deepEqual(ids({ after: 'r6' }), []);
        assert.deepEqual(ids({ after: 'no-such-record', limit: 3 }), []);
        assert.deepEqual(ids({ limit: 0 }), []);
      });
    });

    it('ignores a second record with an id already taken (the first stays)', () => {
      withState((s) => {
        const first = add('dup', P);
        applyBlocks(s, [[first], [add('dup', Q)]]);
        assert.equal(s.records.get('dup')!.tx, first.id);
        assert.equal(s.countRecordsOf(Q), 0);
      });
    });

    it('counts consent grants and records revocations', () => {
      withState((s) => {
        const g = grant(P);
        applyBlocks(s, [[g, grant(Q)]]);
        assert.equal(s.consentEpoch, 2);
        assert.deepEqual(
          s.consentsOf(P).map((c) => c.id),
          [g.id],
        );
        const r = revoke(g.id);
        applyBlocks(s, [[r]]);
        const c = s.consents.get(g.id)!;
        assert.equal(c.revokedBy, r.id);
        assert.equal(c.revokedAt, r.body.time);
        assert.equal(c.grantedAt, g.body.time);
        assert.deepEqual(c.grantee, { kind: 'organization', orgId: 'riverside' });
        assert.equal(s.consentEpoch, 2);
        assert.match(admissible(s, revoke(g.id)) ?? '', /already revoked/);
        assert.match(admissible(s, revoke(hex('none'))) ?? '', /no consent/);
      });
    });

    it('carries out erasures and marks the request approved', () => {
      withState((s) => {
        const req = request(P, null);
        applyBlocks(s, [[add('pat-1', P), add('b', P), add('c', Q)], [req]]);
        assert.equal(s.erasureRequests.get(req.id)!.records, null);
        assert.match(admissible(s, erase(req.id, ['c'])) ?? '', /not a record of the requesting patient/);
        const e = erase(req.id, ['pat-1', 'b']);
        assert.equal(admissible(s, e), undefined);
        applyBlocks(s, [[e]]);
        assert.equal(s.records.get('b')!.erasedBy, e.id);
        assert.equal(s.erasureRequests.get(req.id)!.approvedBy, e.id);
        assert.deepEqual([...s.patientRecords()], []);
        assert.match(admissible(s, erase(req.id, ['pat-1'])) ?? '', /already carried out/);
        assert.match(admissible(s, amend('b2', 'b', P)) ?? '', /was erased/);
      });
    });

    it('admits amendments only of an original record of the same patient', () => {
      withState((s) => {
        applyBlocks(s, [[add('a', P)], [amend('a2', 'a', P)]]);
        assert.match(admissible(s, add('a', P)) ?? '', /exists/);
        assert.match(admissible(s, amend('a3', 'a2', P)) ?? '', /not an original record/);
        assert.match(admissible(s, amend('a3', 'a', Q)) ?? '', /keeps the patient/);
        assert.equal(admissible(s, amend('a3', 'a', P)), undefined);
      });
    });

    it('agrees with the in-memory reference on any sequence of blocks', () => {
      const ids = ['pat-1', 'pat-2', 'a', 'b', 'c', 'd'];
      const patients = [P, Q];
      const op = fc.oneof(
        fc.record({
          k: fc.constant('add' as const),
          id: fc.constantFrom(...ids),
          p: fc.constantFrom(...patients),
        }),
        fc.record({
          k: fc.constant('amend' as const),
          id: fc.constantFrom('x1', 'x2', 'x3'),
          of: fc.constantFrom(...ids),
          p: fc.constantFrom(...patients),
        }),
        fc.record({ k: fc.constant('grant' as const), p: fc.constantFrom(...patients) }),
        fc.record({ k: fc.constant('revoke' as const), i: fc.nat() }),
        fc.record({ k: fc.constant('request' as const), p: fc.constantFrom(...patients) }),
        fc.record({ k: fc.constant('erase' as const), i: fc.nat(), ids: fc.subarray(ids) }),
      );
      fc.assert(
        fc.property(fc.array(fc.array(op, { maxLength: 5 }), { maxLength: 8 }), (plan) => {
          const grants: string[] = [];
          const requests: string[] = [];
          const blocks = plan.map((ops) =>
            ops.map((o): Tx => {
              switch (o.k) {
                case 'add':
                  return add(o.id, o.p);
                case 'amend':
                  return amend(o.id, o.of, o.p);
                case 'grant': {
                  const t = grant(o.p);
                  grants.push(t.id);
                  return t;
                }
                case 'revoke':
                  return revoke(grants[o.i % Math.max(1, grants.length)] ?? hex('none'));
                case 'request': {
                  const t = request(o.p, null);
                  requests.push(t.id);
                  return t;
                }
                case 'erase':
                  return erase(requests[o.i % Math.max(1, requests.length)] ?? hex('none'), o.ids);
              }
            }),
          );
          const reference = new MedicalState(isPatientRecord);
          applyBlocks(reference, blocks);
          withState((s) => {
            applyBlocks(s, blocks);
            assert.deepEqual(snapshot(s), snapshot(reference));
            for (const p of patients) {
              const all = reference.recordsOf(p).map((r) => r.id);
              for (const after of [undefined, ...all])
                assert.deepEqual(
                  s.recordsOf(p, { ...(after ? { after } : {}), limit: 2 }).map((r) => r.id),
                  reference.recordsOf(p, { ...(after ? { after } : {}), limit: 2 }).map((r) => r.id),
                );
            }
          });
        }),
        { numRuns: 60 },
      );
    });
  });
}
