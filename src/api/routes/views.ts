/**
 * @module
 * How ledger entries are shown over HTTP: access events with the requester's name and role (staff
 * names are not the patient's PHI), consents, erasure requests; times as ISO 8601.
 */
import type {
  AccessEntry,
  ConsentEntry,
  ErasureRequestEntry,
  MedicalFacade,
  Purpose,
  ReadOptions,
} from '../../medical/facade.ts';
import type { AccessEvent, Consent, ErasureRequest } from '../contract/consent.ts';

export const iso = (ms: number): string => new Date(ms).toISOString();

export function accessView(
  node: Pick<MedicalFacade, 'chain' | 'account' | 'boundLogin'>,
  e: AccessEntry,
): AccessEvent {
  const who = node.chain.directory.entry(e.requester);
  const account = node.account(e.requester);
  const bound = who?.role === 'patient' ? node.boundLogin(e.requester) : undefined;
  return {
    tx: e.tx,
    height: e.height,
    time: iso(e.time),
    requester: {
      keyId: e.requester,
      role: who?.role ?? 'unknown',
      ...(who?.org ? { org: who.org } : {}),
      ...(account ? { name: account.name } : {}),
    },
    records: e.records,
    action: e.action,
    purpose: e.purpose,
    outcome: e.outcome,
    reason: e.reason,
    breakGlass: e.breakGlass,
    ...(e.login && e.requestedBy ? { binding: { login: e.login, requestedBy: e.requestedBy } } : {}),
    ...(bound ? { viaBoundLogin: { requestedBy: bound.requestedBy, approvedBy: bound.approvedBy } } : {}),
  };
}

export function consentView(c: ConsentEntry): Consent {
  return {
    id: c.id,
    tx: c.tx,
    height: c.height,
    grantee: c.grantee,
    scope: {
      ...(c.scope.types ? { types: c.scope.types } : {}),
      ...(c.scope.period
        ? {
            period: {
              ...(c.scope.period.start === undefined ? {} : { start: iso(c.scope.period.start) }),
              ...(c.scope.period.end === undefined ? {} : { end: iso(c.scope.period.end) }),
            },
          }
        : {}),
    },
    purpose: c.purpose,
    validFrom: iso(c.validFrom),
    validTo: iso(c.validTo),
    grantedAt: iso(c.grantedAt),
    ...(c.revokedBy ? { revokedBy: c.revokedBy } : {}),
    ...(c.revokedAt === undefined ? {} : { revokedAt: iso(c.revokedAt) }),
  };
}

export function erasureView(r: ErasureRequestEntry): ErasureRequest {
  return {
    tx: r.tx,
    time: iso(r.time),
    records: r.records,
    ...(r.approvedBy ? { approvedBy: r.approvedBy } : {}),
    status: r.approvedBy ? 'carried-out' : 'pending',
  };
}

/** Read options from the query string. */
export function readOptions(q: { purpose?: Purpose; breakGlassReason?: string }): ReadOptions {
  return {
    ...(q.purpose ? { purpose: q.purpose } : {}),
    ...(q.breakGlassReason ? { breakGlass: { reason: q.breakGlassReason } } : {}),
  };
}
