/**
 * @module
 * Access-log entries in plain words for the patient: what was done, on what grounds it was allowed
 * or why it was refused (the consent decision's basis or reason, see src/core/consent.ts), and
 * whether it was an emergency "break-glass" access without consent.
 */
import type { AccessEvent } from '../../../../src/api/contract/consent.ts';

const ACTIONS: Readonly<Record<string, string>> = {
  read: 'Viewed',
  write: 'Added or changed',
  export: 'Exported, de-identified',
  erase: 'Erased',
  search: 'Searched',
  bind: 'Gave a login access to your records',
};

const REASONS: Readonly<Record<string, string>> = {
  'patient-self': 'You',
  author: 'Wrote the record',
  'org-policy': 'Your care organization',
  consent: 'Your consent',
  'break-glass': 'Emergency, without consent',
  'no-consent': 'No consent',
  'consent-revoked': 'Consent revoked',
  'consent-expired': 'Consent expired',
  'consent-not-yet-valid': 'Consent not yet valid',
  'wrong-purpose': 'Purpose not consented',
  'out-of-scope': 'Record not covered',
  'role-not-permitted': 'Not permitted for the role',
  'other-patient': 'Not their record',
  'record-erased': 'Record erased',
  'break-glass-reason-required': 'Emergency reason missing',
  'deidentified-only': 'Research sees de-identified data only',
  'two-admins': 'Approved by two administrators',
};

const PURPOSES: Readonly<Record<string, string>> = {
  treatment: 'Treatment',
  research: 'Research',
  payment: 'Payment',
  emergency: 'Emergency',
};

export const actionLabel = (a: string): string => ACTIONS[a] ?? a;
export const reasonLabel = (r: string): string => REASONS[r] ?? r;
export const purposeLabel = (p: string): string => PURPOSES[p] ?? p;

export function isBreakGlass(e: AccessEvent): boolean {
  return e.breakGlass;
}
