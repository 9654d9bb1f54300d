/**
 * @module
 * Who may sign which transaction: the consensus rules every node applies to every block (and that
 * `verify` replays), decided from the identity directory alone so blocks check in parallel.
 *
 * | type                       | signer                                                             |
 * |----------------------------|--------------------------------------------------------------------|
 * | org.join                   | node (its own organization, if the members admitted it for one)    |
 * | identity.register / revoke | node (any organization), admin (own organization); not node keys   |
 * | member.propose / approve   | member node; takes effect once a quorum of members signed          |
 * | record.add / amend         | doctor (own organization), node (any organization), patient (self) |
 * |   (basis, if stated)       | author: doctor; patient-self: patient; none for a node             |
 * | consent.grant / revoke     | patient (self)                                                     |
 * | erasure.request            | patient (self)                                                     |
 * | record.erase               | admin, node                                                        |
 * | access.log, node.vote      | node                                                               |
 * | data.put                   | any active key                                                     |
 *
 * Rules that need the history of records and consents (an amendment's target exists, a revoke names
 * the patient's own grant) are checked when the node admits a transaction (see node/medical-state).
 */
import { fromHex } from '../core/bytes.ts';
import { keyIdOf } from '../core/keys.ts';
import type { Tx } from '../core/tx.ts';
import type { KeyEntry } from './key-table.ts';
import {
  parseAccessLog,
  parseConsentGrant,
  parseConsentRevoke,
  parseErasureRequest,
  parseOrgJoin,
  parseRecord,
  parseRecordErase,
  parseRegister,
  parseRevoke,
} from './payloads.ts';

const deny = (detail: string): RuleViolation => ({ kind: 'tx-not-permitted', detail });
const bad = (detail: string): RuleViolation => ({ kind: 'tx-decode', detail });

function roleIn(signer: KeyEntry, roles: readonly string[], what: string): RuleViolation {
  return roles.includes(signer.role) ? undefined : deny(`role ${signer.role} may not ${what}`);
}

/** Why a transaction is not acceptable, or undefined when it is. */
export type RuleViolation =
  { kind: 'tx-unknown-signer' | 'tx-not-permitted' | 'tx-decode'; detail: string } | undefined;

/** What the rules read of the directory (the KeyRegistry). */
export interface RulesDirectory {
  org(org: string): unknown;
  orgReservedFor(org: string): string | undefined;
  entry(keyId: string): KeyEntry | undefined;
  active(keyId: string): KeyEntry | undefined;
  checkMembership(tx: Tx): RuleViolation;
}

export function checkTxRules(dir: RulesDirectory, signer: KeyEntry, tx: Tx): RuleViolation {
  const { type: t, payload } = tx.body;
  switch (t) {
    case 'chain.genesis':
    case 'data.put':
      return undefined;
    case 'org.join': {
      const p = parseOrgJoin(payload);
      if (typeof p === 'string') return bad(p);
      const v = roleIn(signer, ['node'], t);
      if (v) return v;
      if (dir.org(p.org)) return deny(`organization ${p.org} exists`);
      const reserved = dir.orgReservedFor(p.org);
      if (reserved !== undefined && reserved !== signer.keyId)
        return deny(`organization ${p.org} is reserved for the member node admitted for it`);
      if (signer.org !== undefined && signer.org !== p.org)
        return deny(`node admitted for ${signer.org} may not create ${p.org}`);
      return undefined;
    }
    case 'identity.register': {
      const p = parseRegister(payload);
      if (typeof p === 'string') return bad(p);
      const v = roleIn(signer, ['node', 'admin'], t);
      if (v) return v;
      if (dir.entry(keyIdOf(fromHex(p.publicKey, 32, 'publicKey')))) return deny('key already registered');
      if (p.role === 'node') return deny('node keys join through member.propose approved by a quorum');
      if (p.org !== undefined && !dir.org(p.org)) return deny(`unknown organization ${p.org}`);
      if (signer.role === 'admin' && p.org !== signer.org)
        return deny('an admin registers users of its own organization only');
      if (p.requestedBy !== undefined) {
        const asker = dir.active(p.requestedBy);
        if (asker?.role !== 'admin' || asker.org !== p.org || p.requestedBy === signer.keyId)
          return deny('a binding is requested by another admin of the organization');
      }
      return undefined;
    }
    case 'identity.revoke': {
      const p = parseRevoke(payload);
      if (typeof p === 'string') return bad(p);
      const v = roleIn(signer, ['node', 'admin'], t);
      if (v) return v;
      const target = dir.active(p.keyId);
      if (!target) return deny('revoked key is not active');
      if (target.role === 'node')
        return deny('member nodes leave through member.propose approved by a quorum');
      if (signer.role === 'admin' && target.org !== signer.org)
        return deny('an admin revokes users of its own organization only');
      return undefined;
    }
    case 'record.add':
    case 'record.amend': {
      const p = parseRecord(payload, t === 'record.amend');
      if (typeof p === 'string') return bad(p);
      const v = roleIn(signer, ['doctor', 'node', 'patient'], t);
      if (v) return v;
      if (!dir.org(p.org)) return deny(`unknown organization ${p.org}`);
      if (signer.role === 'doctor' && p.org !== signer.org)
        return deny('a doctor writes for its own organization');
      if (signer.role === 'patient' && (p.patient === undefined || p.patient !== signer.patient))
        return deny('a patient writes records about themself only');
      const basis =
        signer.role === 'node' ? undefined : signer.role === 'patient' ? 'patient-self' : 'author';
      if (p.basis !== undefined && p.basis !== basis)
        return deny(`a ${signer.role}'s write may not state the basis ${p.basis}`);
      return undefined;
    }
    case 'consent.grant': {
      const p = parseConsentGrant(payload);
      if (typeof p === 'string') return bad(p);
      const v = roleIn(signer, ['patient'], t);
      if (v) return v;
      if (p.patient !== signer.patient) return deny('a patient grants consent for themself only');
      if (p.grantee.kind === 'organization' ? !dir.org(p.grantee.orgId) : !dir.active(p.grantee.keyId))
        return deny('unknown grantee');
      return undefined;
    }
    case 'consent.revoke': {
      const p = parseConsentRevoke(payload);
      return typeof p === 'string' ? bad(p) : roleIn(signer, ['patient'], t);
    }
    case 'erasure.request': {
      const p = parseErasureRequest(payload);
      if (typeof p === 'string') return bad(p);
      return (
        roleIn(signer, ['patient'], t) ??
        (p.patient === signer.patient ? undefined : deny('a patient requests erasure of own data only'))
      );
    }
    case 'record.erase': {
      const p = parseRecordErase(payload);
      return typeof p === 'string' ? bad(p) : roleIn(signer, ['admin', 'node'], t);
    }
    case 'access.log': {
      const p = parseAccessLog(payload);
      return typeof p === 'string' ? bad(p) : roleIn(signer, ['node'], t);
    }
    case 'member.propose':
    case 'member.approve':
      return roleIn(signer, ['node'], t) ?? dir.checkMembership(tx);
    case 'node.vote':
      return roleIn(signer, ['node'], t);
  }
}
