/**
 * @module
 * The access events the chain holds, derived from committed transactions: every `access.log`
 * transaction (reads, denials, break-glass: signed by the node), and the write event that each
 * user-written record transaction carries in its `basis` (allowed, for treatment), and the binding
 * of a patient's login by two admins (`identity.register` with `requestedBy`). One derivation
 * serves the stored access log, its rebuild from the chain and its check against the chain.
 */
import { fromHex } from '../core/bytes.ts';
import { keyIdOf } from '../core/keys.ts';
import type { TxType } from '../core/tx.ts';
import type { AccessLogPayload, RecordPayload, WriteBasis } from './payloads.ts';
import { parseAccessLog, parseRecord, parseRegister } from './payloads.ts';

/** The transaction types an access event can come from. */
export const ACCESS_EVENT_TX_TYPES: readonly TxType[] = [
  'access.log',
  'record.add',
  'record.amend',
  'identity.register',
];

/** The access event of a committed transaction, or undefined when it carries none. */
export function accessEventOf(type: string, payload: unknown, signer: string): AccessLogPayload | undefined {
  switch (type) {
    case 'access.log': {
      const a = parseAccessLog(payload);
      return typeof a === 'string' ? undefined : a;
    }
    case 'record.add':
    case 'record.amend': {
      const r = parseRecord(payload, type === 'record.amend');
      if (typeof r === 'string' || r.basis === undefined) return undefined;
      return writeEvent(signer, r, r.basis);
    }
    case 'identity.register': {
      const r = parseRegister(payload);
      if (typeof r === 'string' || r.requestedBy === undefined || r.patient === undefined) return undefined;
      return {
        requester: signer,
        patient: r.patient,
        records: [],
        action: 'bind',
        purpose: 'admin',
        outcome: 'allow',
        reason: 'two-admins',
        breakGlass: false,
        requestedBy: r.requestedBy,
        login: keyIdOf(fromHex(r.publicKey, 32, 'publicKey')),
      };
    }
    default:
      return undefined;
  }
}

/** The access event a user's record write carries (its `basis`): allowed, for treatment. */
function writeEvent(signer: string, r: RecordPayload, basis: WriteBasis): AccessLogPayload {
  return {
    requester: signer,
    ...(r.patient !== undefined ? { patient: r.patient } : {}),
    records: [r.record],
    action: 'write',
    purpose: 'treatment',
    outcome: 'allow',
    reason: basis,
    breakGlass: false,
  };
}
