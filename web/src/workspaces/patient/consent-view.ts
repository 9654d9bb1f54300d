/**
 * @module
 * How a consent reads to its patient: whom it names, what it covers, and whether it is in force now
 * (active), not yet (scheduled), past its end (expired) or withdrawn (revoked).
 */
import type { Consent, Purpose } from '../../../../src/api/contract/consent.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';
import { typeLabel } from './record-summary.ts';
import { orgName } from './use-patient-context.ts';

export type ConsentStatus = 'active' | 'scheduled' | 'expired' | 'revoked';

export function consentStatus(c: Consent, now: number): ConsentStatus {
  if (c.revokedBy !== undefined || c.revokedAt !== undefined) return 'revoked';
  if (now >= Date.parse(c.validTo)) return 'expired';
  if (now < Date.parse(c.validFrom)) return 'scheduled';
  return 'active';
}

export const STATUS_COLOR: Readonly<Record<ConsentStatus, string>> = {
  active: 'green',
  scheduled: 'blue',
  expired: 'gray',
  revoked: 'red',
};

export const PURPOSE_LABEL: Readonly<Record<Purpose, string>> = {
  treatment: 'Treatment',
  research: 'Research',
  payment: 'Payment',
  emergency: 'Emergency',
};

export const PURPOSE_COLOR: Readonly<Record<Purpose, string>> = {
  treatment: 'blue',
  research: 'grape',
  payment: 'yellow',
  emergency: 'red',
};

export function granteeLabel(c: Consent, d: Directory | undefined): { name: string; detail: string } {
  if (c.grantee.kind === 'organization') return { name: orgName(d, c.grantee.orgId), detail: 'Organization' };
  const keyId = c.grantee.keyId;
  const doc = d?.practitioners.find((p) => p.keyId === keyId);
  return doc
    ? { name: doc.name, detail: `Doctor · ${orgName(d, doc.org)}` }
    : { name: `Doctor ${keyId.slice(0, 8)}`, detail: 'no longer active' };
}

export function scopeLabel(c: Consent): string {
  const types = c.scope.types;
  return types && types.length > 0 ? types.map(typeLabel).join(', ') : 'All records';
}

export const formatDateTime = (iso: string): string =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatDate = (iso: string): string =>
  new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });
