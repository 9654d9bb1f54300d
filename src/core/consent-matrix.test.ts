/**
 * The authorization matrix: every role × action × consent state, with the decision written out by hand.
 * Setting: the record belongs to patient P, was written in org-b by key-author; the doctor (org-a) and
 * the researcher (org-r) are outsiders, so only a consent or break glass can let them in; admin, auditor
 * and node sit in org-b itself, to show that membership alone gives them nothing. Each state puts one
 * grant "consent-1" to the requester's key (none for 'none' and 'break-glass'), with the requester's
 * natural purpose: research for the researcher, treatment for everyone else.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROLES } from './consent.ts';
import { evaluate } from './consent.ts';
import type { AccessRequest, Action, ConsentGrant, Decision, Requester, Role } from './consent.ts';

const STATES = [
  'none',
  'granted',
  'expired',
  'not-yet-valid',
  'revoked',
  'wrong-purpose',
  'wrong-scope',
  'break-glass',
] as const;
type State = (typeof STATES)[number];
const ACTIONS: readonly Action[] = ['read', 'write'];

// Expected cell: 'allow:<basis>' or 'deny:<reason>', then '@consent-1' when the decision names the
// grant and '!glass' when it is a break-glass access.
type Row = readonly [Role, Action, State, string];
const RNP = 'deny:role-not-permitted';
const MATRIX: readonly Row[] = [
  ['admin', 'read', 'none', RNP],
  ['admin', 'read', 'granted', RNP],
  ['admin', 'read', 'expired', RNP],
  ['admin', 'read', 'not-yet-valid', RNP],
  ['admin', 'read', 'revoked', RNP],
  ['admin', 'read', 'wrong-purpose', RNP],
  ['admin', 'read', 'wrong-scope', RNP],
  ['admin', 'read', 'break-glass', RNP],
  ['admin', 'write', 'none', RNP],
  ['admin', 'write', 'granted', RNP],
  ['admin', 'write', 'expired', RNP],
  ['admin', 'write', 'not-yet-valid', RNP],
  ['admin', 'write', 'revoked', RNP],
  ['admin', 'write', 'wrong-purpose', RNP],
  ['admin', 'write', 'wrong-scope', RNP],
  ['admin', 'write', 'break-glass', RNP],

  ['doctor', 'read', 'none', 'deny:no-consent'],
  ['doctor', 'read', 'granted', 'allow:consent@consent-1'],
  ['doctor', 'read', 'expired', 'deny:consent-expired@consent-1'],
  ['doctor', 'read', 'not-yet-valid', 'deny:consent-not-yet-valid@consent-1'],
  ['doctor', 'read', 'revoked', 'deny:consent-revoked@consent-1'],
  ['doctor', 'read', 'wrong-purpose', 'deny:wrong-purpose@consent-1'],
  ['doctor', 'read', 'wrong-scope', 'deny:out-of-scope@consent-1'],
  ['doctor', 'read', 'break-glass', 'allow:break-glass!glass'],
  ['doctor', 'write', 'none', 'deny:no-consent'],
  ['doctor', 'write', 'granted', 'allow:consent@consent-1'],
  ['doctor', 'write', 'expired', 'deny:consent-expired@consent-1'],
  ['doctor', 'write', 'not-yet-valid', 'deny:consent-not-yet-valid@consent-1'],
  ['doctor', 'write', 'revoked', 'deny:consent-revoked@consent-1'],
  ['doctor', 'write', 'wrong-purpose', 'deny:wrong-purpose@consent-1'],
  ['doctor', 'write', 'wrong-scope', 'deny:out-of-scope@consent-1'],
  ['doctor', 'write', 'break-glass', 'deny:no-consent'], // break glass opens reads only

  ['patient', 'read', 'none', 'allow:patient-self'],
  ['patient', 'read', 'granted', 'allow:patient-self'],
  ['patient', 'read', 'expired', 'allow:patient-self'],
  ['patient', 'read', 'not-yet-valid', 'allow:patient-self'],
  ['patient', 'read', 'revoked', 'allow:patient-self'],
  ['patient', 'read', 'wrong-purpose', 'allow:patient-self'],
  ['patient', 'read', 'wrong-scope', 'allow:patient-self'],
  ['patient', 'read', 'break-glass', 'allow:patient-self'],
  ['patient', 'write', 'none', 'allow:patient-self'],
  ['patient', 'write', 'granted', 'allow:patient-self'],
  ['patient', 'write', 'expired', 'allow:patient-self'],
  ['patient', 'write', 'not-yet-valid', 'allow:patient-self'],
  ['patient', 'write', 'revoked', 'allow:patient-self'],
  ['patient', 'write', 'wrong-purpose', 'allow:patient-self'],
  ['patient', 'write', 'wrong-scope', 'allow:patient-self'],
  ['patient', 'write', 'break-glass', 'allow:patient-self'],

  ['researcher', 'read', 'none', 'deny:no-consent'],
  ['researcher', 'read', 'granted', 'allow:consent@consent-1'],
  ['researcher', 'read', 'expired', 'deny:consent-expired@consent-1'],
  ['researcher', 'read', 'not-yet-valid', 'deny:consent-not-yet-valid@consent-1'],
  ['researcher', 'read', 'revoked', 'deny:consent-revoked@consent-1'],
  ['researcher', 'read', 'wrong-purpose', 'deny:wrong-purpose@consent-1'],
  ['researcher', 'read', 'wrong-scope', 'deny:out-of-scope@consent-1'],
  ['researcher', 'read', 'break-glass', RNP],
  ['researcher', 'write', 'none', RNP],
  ['researcher', 'write', 'granted', RNP],
  ['researcher', 'write', 'expired', RNP],
  ['researcher', 'write', 'not-yet-valid', RNP],
  ['researcher', 'write', 'revoked', RNP],
  ['researcher', 'write', 'wrong-purpose', RNP],
  ['researcher', 'write', 'wrong-scope', RNP],
  ['researcher', 'write', 'break-glass', RNP],

  ['auditor', 'read', 'none', RNP],
  ['auditor', 'read', 'granted', RNP],
  ['auditor', 'read', 'expired', RNP],
  ['auditor', 'read', 'not-yet-valid', RNP],
  ['auditor', 'read', 'revoked', RNP],
  ['auditor', 'read', 'wrong-purpose', RNP],
  ['auditor', 'read', 'wrong-scope', RNP],
  ['auditor', 'read', 'break-glass', RNP],
  ['auditor', 'write', 'none', RNP],
  ['auditor', 'write', 'granted', RNP],
  ['auditor', 'write', 'expired', RNP],
  ['auditor', 'write', 'not-yet-valid', RNP],
  ['auditor', 'write', 'revoked', RNP],
  ['auditor', 'write', 'wrong-purpose', RNP],
  ['auditor', 'write', 'wrong-scope', RNP],
  ['auditor', 'write', 'break-glass', RNP],

  ['node', 'read', 'none', RNP],
  ['node', 'read', 'granted', RNP],
  ['node', 'read', 'expired', RNP],
  ['node', 'read', 'not-yet-valid', RNP],
  ['node', 'read', 'revoked', RNP],
  ['node', 'read', 'wrong-purpose', RNP],
  ['node', 'read', 'wrong-scope', RNP],
  ['node', 'read', 'break-glass', RNP],
  ['node', 'write', 'none', RNP],
  ['node', 'write', 'granted', RNP],
  ['node', 'write', 'expired', RNP],
  ['node', 'write', 'not-yet-valid', RNP],
  ['node', 'write', 'revoked', RNP],
  ['node', 'write', 'wrong-purpose', RNP],
  ['node', 'write', 'wrong-scope', RNP],
  ['node', 'write', 'break-glass', RNP],
];

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;
const P = 'aa11';
const REQUESTERS: Readonly<Record<Role, Requester>> = {
  admin: { keyId: 'key-admin', role: 'admin', org: 'org-b' },
  doctor: { keyId: 'key-doc', role: 'doctor', org: 'org-a' },
  patient: { keyId: 'key-pat', role: 'patient', patient: P },
  researcher: { keyId: 'key-res', role: 'researcher', org: 'org-r' },
  auditor: { keyId: 'key-aud', role: 'auditor', org: 'org-b' },
  node: { keyId: 'key-node', role: 'node', org: 'org-b' },
};

function requestFor(role: Role, action: Action, state: State): AccessRequest {
  const requester = REQUESTERS[role];
  const purpose = role === 'researcher' ? 'research' : 'treatment';
  const base: ConsentGrant = {
    id: 'consent-1',
    patient: P,
    grantee: { kind: 'practitioner', keyId: requester.keyId },
    scope: { types: ['Observation'] },
    purpose,
    validFrom: NOW - HOUR,
    validTo: NOW + HOUR,
  };
  const grants: Record<State, ConsentGrant[]> = {
    none: [],
    granted: [base],
    expired: [{ ...base, validTo: NOW }],
    'not-yet-valid': [{ ...base, validFrom: NOW + 1 }],
    revoked: [{ ...base, revokedAt: NOW }],
    'wrong-purpose': [{ ...base, purpose: 'payment' }],
    'wrong-scope': [{ ...base, scope: { types: ['Condition'] } }],
    'break-glass': [],
  };
  return {
    consents: grants[state],
    policy: { orgDoctorsTreatment: true },
    requester,
    record: { id: 'rec-1', patient: P, org: 'org-b', author: 'key-author', type: 'Observation', date: NOW },
    purpose: state === 'break-glass' ? 'emergency' : purpose,
    now: NOW,
    action,
    ...(state === 'break-glass' ? { breakGlass: { reason: 'unconscious in ER, no ID on arrival' } } : {}),
  };
}

function cell(d: Decision): string {
  const head = d.allow ? `allow:${d.basis}` : `deny:${d.reason}`;
  return head + (d.consentId === undefined ? '' : `@${d.consentId}`) + (d.breakGlass ? '!glass' : '');
}

describe('authorization matrix', () => {
  it('covers every role × action × consent state exactly once', () => {
    const want = ROLES.flatMap((r) => ACTIONS.flatMap((a) => STATES.map((s) => `${r} ${a} ${s}`))).sort();
    const got = MATRIX.map(([r, a, s]) => `${r} ${a} ${s}`).sort();
    assert.deepEqual(got, want);
    assert.equal(MATRIX.length, 6 * 2 * 8);
  });
  for (const [role, action, state, expected] of MATRIX) {
    it(`${role} ${action} ${state} → ${expected}`, () => {
      assert.equal(cell(evaluate(requestFor(role, action, state))), expected);
    });
  }
});
