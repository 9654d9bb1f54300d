/**
 * @module
 * The payloads of the medical contracts' transactions, parsed strictly: exact field sets, hex lengths,
 * enumerations and size limits. Nothing here may carry readable PHI: patients appear as blind ids
 * (HMAC-SHA256 with the consortium index key), record bodies as the SHA-256 of their ciphertext, and
 * free text is limited to organization names. A parser returns the typed payload or a reason string.
 */
import { PURPOSES, ROLES } from '../core/consent.ts';
import type { ConsentGrant, Grantee, Purpose, Role } from '../core/consent.ts';

export { ROLES };
export type { Role };

export const ACCESS_ACTIONS = ['read', 'write', 'export', 'erase', 'search', 'bind'] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

export interface RegisterPayload {
  readonly publicKey: string;
  readonly role: Role;
  readonly org?: string;
  /** X25519 public key that record keys are wrapped to. */
  readonly encryptionKey?: string;
  /** Blind id of the patient this identity is (role patient). */
  readonly patient?: string;
  /**
   * A patient's login bound by two admins: the key id of the admin who asked for it (the signer is
   * the admin who approved it). The binding is then an access event in the patient's log.
   */
  readonly requestedBy?: string;
}

export interface OrgJoinPayload {
  readonly org: string;
  readonly name: string;
  readonly encryptionKey: string;
}

/** A change of the consortium's member nodes, decided by a quorum of the current members. */
export type MemberProposePayload =
  | {
      readonly action: 'add';
      /** The new member's node key (Ed25519, hex). */
      readonly publicKey: string;
      /** The organization the new node will host (it alone may create it with org.join). */
      readonly org: string;
      readonly name: string;
      /** Where the new node answers replication and catch-up requests. */
      readonly url: string;
    }
  | { readonly action: 'remove'; readonly keyId: string };

export interface MemberApprovePayload {
  /** The member.propose transaction approved. */
  readonly proposal: string;
}

export interface RecordPayload {
  readonly record: string;
  readonly patient?: string;
  readonly org: string;
  /** SHA-256 of the record's ciphertext in the blob store. */
  readonly blob: string;
  readonly size: number;
  /** For record.amend: the record this one corrects. */
  readonly amends?: string;
  /**
   * On a record written by a user: why the write was allowed (the signer's own organization's record,
   * or a patient's own). The write's access event is this transaction: the state derives it (an
   * `access.log` of its own would double the transactions per write). Absent on node writes (imports).
   */
  readonly basis?: WriteBasis;
}

/** The basis of a user's write, as its access event gives it (tx-rules.ts checks it against the signer). */
export const WRITE_BASES = ['author', 'patient-self'] as const;
export type WriteBasis = (typeof WRITE_BASES)[number];

export type ConsentGrantPayload = Omit<ConsentGrant, 'id' | 'revokedAt'>;

export interface ConsentRevokePayload {
  readonly consent: string;
}

export interface AccessLogPayload {
  readonly requester: string;
  readonly patient?: string;
  readonly records: readonly string[];
  readonly action: AccessAction;
  readonly purpose: Purpose | 'admin';
  readonly outcome: 'allow' | 'deny';
  /** The decision's basis (allow) or reason (deny). */
  readonly reason: string;
  readonly breakGlass: boolean;
  /** SHA-256 of the encrypted break-glass justification in the blob store. */
  readonly note?: string;
  /** A login binding's other admin (the one who asked; the requester approved). */
  readonly requestedBy?: string;
  /** A login binding's new login (key id). */
  readonly login?: string;
}

export interface ErasureRequestPayload {
  readonly patient: string;
  /** Record ids, or null for every record of the patient. */
  readonly records: readonly string[] | null;
}

export interface RecordErasePayload {
  /** The erasure.request transaction this approves. */
  readonly request: string;
  readonly records: readonly string[];
}

const HEX64 = /^[0-9a-f]{64}$/;
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const RECORD_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const REASON = /^[a-z-]{1,40}$/;
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;
const MAX_LIST = 10_000;

type Obj = Record<string, unknown>;

function obj(p: unknown, what: string, allowed: readonly string[]): Obj | string {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return `${what} payload must be an object`;
  const extra = Object.keys(p).filter((k) => !allowed.includes(k));
  return extra.length ? `${what} payload has unknown fields ${extra.join(', ')}` : (p as Obj);
}

const isHex64 = (v: unknown): v is string => typeof v === 'string' && HEX64.test(v);
const isSlug = (v: unknown): v is string => typeof v === 'string' && SLUG.test(v);
const isRecordId = (v: unknown): v is string => typeof v === 'string' && RECORD_ID.test(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function recordList(v: unknown, what: string): readonly string[] | string {
  if (!Array.isArray(v) || v.length > MAX_LIST || !v.every(isRecordId))
    return `${what} must be a list of at most ${String(MAX_LIST)} record ids`;
  return v;
}

export function parseRegister(p: unknown): RegisterPayload | string {
  const o = obj(p, 'identity.register', [
    'publicKey',
    'role',
    'org',
    'encryptionKey',
    'patient',
    'requestedBy',
  ]);
  if (typeof o === 'string') return o;
  if (!isHex64(o.publicKey)) return 'publicKey must be 32 bytes hex';
  if (typeof o.role !== 'string' || !(ROLES as readonly string[]).includes(o.role))
    return `unknown role ${String(o.role)}`;
  if (o.org !== undefined && !isSlug(o.org)) return 'org must be an organization id';
  if (o.encryptionKey !== undefined && !isHex64(o.encryptionKey)) return 'encryptionKey must be 32 bytes hex';
  if (o.patient !== undefined && !isHex64(o.patient)) return 'patient must be a blind id';
  if ((o.role === 'patient') !== (o.patient !== undefined))
    return 'patient is required for, and only for, role patient';
  if (o.role !== 'node' && (o.org === undefined || o.encryptionKey === undefined))
    return `role ${o.role} requires org and encryptionKey`;
  if (o.requestedBy !== undefined && (!isHex64(o.requestedBy) || o.role !== 'patient'))
    return 'requestedBy is a key id, for role patient only';
  return o as unknown as RegisterPayload;
}

export function parseRevoke(p: unknown): { keyId: string } | string {
  const o = obj(p, 'identity.revoke', ['keyId']);
  if (typeof o === 'string') return o;
  return isHex64(o.keyId) ? { keyId: o.keyId } : 'keyId must be a key id';
}

export function parseOrgJoin(p: unknown): OrgJoinPayload | string {
  const o = obj(p, 'org.join', ['org', 'name', 'encryptionKey']);
  if (typeof o === 'string') return o;
  if (!isSlug(o.org)) return 'org must be a lowercase slug';
  if (typeof o.name !== 'string' || o.name.trim().length === 0 || o.name.length > 200)
    return 'name must be 1..200 characters';
  if (!isHex64(o.encryptionKey)) return 'encryptionKey must be 32 bytes hex';
  return o as unknown as OrgJoinPayload;
}

export function parseMemberPropose(p: unknown): MemberProposePayload | string {
  const o = obj(p, 'member.propose', ['action', 'publicKey', 'org', 'name', 'url', 'keyId']);
  if (typeof o === 'string') return o;
  if (o.action === 'remove') {
    if (Object.keys(o).length !== 2 || !isHex64(o.keyId))
      return 'a removal names only the keyId of a member node';
    return { action: 'remove', keyId: o.keyId };
  }
  if (o.action !== 'add') return 'action must be add or remove';
  if (o.keyId !== undefined) return 'an addition names the publicKey, not a keyId';
  if (!isHex64(o.publicKey)) return 'publicKey must be 32 bytes hex';
  if (!isSlug(o.org)) return 'org must be a lowercase slug';
  if (typeof o.name !== 'string' || o.name.trim().length === 0 || o.name.length > 200)
    return 'name must be 1..200 characters';
  if (typeof o.url !== 'string' || o.url.length > 300 || !isHttpUrl(o.url))
    return 'url must be an http(s) URL of at most 300 characters';
  return o as unknown as MemberProposePayload;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

export function parseMemberApprove(p: unknown): MemberApprovePayload | string {
  const o = obj(p, 'member.approve', ['proposal']);
  if (typeof o === 'string') return o;
  return isHex64(o.proposal) ? { proposal: o.proposal } : 'proposal must be a member.propose transaction id';
}

export function parseRecord(p: unknown, amend: boolean): RecordPayload | string {
  const what = amend ? 'record.amend' : 'record.add';
  const o = obj(p, what, ['record', 'patient', 'org', 'blob', 'size', 'amends', 'basis']);
  if (typeof o === 'string') return o;
  if (!isRecordId(o.record)) return 'record must be a record id';
  if (o.patient !== undefined && !isHex64(o.patient)) return 'patient must be a blind id';
  if (!isSlug(o.org)) return 'org must be an organization id';
  if (!isHex64(o.blob)) return 'blob must be a SHA-256 hex';
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0)
    return 'size must be a count';
  if (amend ? !isRecordId(o.amends) : o.amends !== undefined)
    return amend ? 'record.amend requires amends' : 'record.add may not carry amends';
  if (o.basis !== undefined && !(WRITE_BASES as readonly unknown[]).includes(o.basis))
    return `basis must be one of ${WRITE_BASES.join(', ')}`;
  return o as unknown as RecordPayload;
}

function parseGrantee(v: unknown): Grantee | string {
  const o = obj(v, 'grantee', ['kind', 'keyId', 'orgId']);
  if (typeof o === 'string') return o;
  if (o.kind === 'practitioner' && isHex64(o.keyId) && o.orgId === undefined)
    return { kind: 'practitioner', keyId: o.keyId };
  if (o.kind === 'organization' && isSlug(o.orgId) && o.keyId === undefined)
    return { kind: 'organization', orgId: o.orgId };
  return 'grantee must be {kind: practitioner, keyId} or {kind: organization, orgId}';
}

export function parseConsentGrant(p: unknown): ConsentGrantPayload | string {
  const o = obj(p, 'consent.grant', ['patient', 'grantee', 'scope', 'purpose', 'validFrom', 'validTo']);
  if (typeof o === 'string') return o;
  if (!isHex64(o.patient)) return 'patient must be a blind id';
  const grantee = parseGrantee(o.grantee);
  if (typeof grantee === 'string') return grantee;
  const scope = obj(o.scope, 'scope', ['types', 'period']);
  if (typeof scope === 'string') return scope;
  if (
    scope.types !== undefined &&
    (!Array.isArray(scope.types) ||
      scope.types.length === 0 ||
      scope.types.length > 64 ||
      !scope.types.every((t) => typeof t === 'string' && RESOURCE_TYPE.test(t)))
  )
    return 'scope.types must be a non-empty list of FHIR resource types';
  if (scope.period !== undefined) {
    const period = obj(scope.period, 'scope.period', ['start', 'end']);
    if (typeof period === 'string') return period;
    if (period.start !== undefined && !isTime(period.start)) return 'scope.period.start must be a time';
    if (period.end !== undefined && !isTime(period.end)) return 'scope.period.end must be a time';
  }
  if (typeof o.purpose !== 'string' || !(PURPOSES as readonly string[]).includes(o.purpose))
    return `purpose must be one of ${PURPOSES.join(', ')}`;
  if (!isTime(o.validFrom) || !isTime(o.validTo) || o.validTo <= o.validFrom)
    return 'validFrom and validTo must be times with validFrom < validTo';
  return o as unknown as ConsentGrantPayload;
}

export function parseConsentRevoke(p: unknown): ConsentRevokePayload | string {
  const o = obj(p, 'consent.revoke', ['consent']);
  if (typeof o === 'string') return o;
  return isHex64(o.consent) ? { consent: o.consent } : 'consent must be a consent.grant transaction id';
}

export function parseAccessLog(p: unknown): AccessLogPayload | string {
  const o = obj(p, 'access.log', [
    'requester',
    'patient',
    'records',
    'action',
    'purpose',
    'outcome',
    'reason',
    'breakGlass',
    'note',
  ]);
  if (typeof o === 'string') return o;
  if (!isHex64(o.requester)) return 'requester must be a key id';
  if (o.patient !== undefined && !isHex64(o.patient)) return 'patient must be a blind id';
  const records = recordList(o.records, 'records');
  if (typeof records === 'string') return records;
  if (typeof o.action !== 'string' || !(ACCESS_ACTIONS as readonly string[]).includes(o.action))
    return 'unknown action';
  if (o.purpose !== 'admin' && !(PURPOSES as readonly unknown[]).includes(o.purpose))
    return 'unknown purpose';
  if (o.outcome !== 'allow' && o.outcome !== 'deny') return 'outcome must be allow or deny';
  if (typeof o.reason !== 'string' || !REASON.test(o.reason)) return 'reason must be a decision code';
  if (typeof o.breakGlass !== 'boolean') return 'breakGlass must be a boolean';
  if (o.note !== undefined && !isHex64(o.note)) return 'note must be a SHA-256 hex';
  return o as unknown as AccessLogPayload;
}

export function parseErasureRequest(p: unknown): ErasureRequestPayload | string {
  const o = obj(p, 'erasure.request', ['patient', 'records']);
  if (typeof o === 'string') return o;
  if (!isHex64(o.patient)) return 'patient must be a blind id';
  if (o.records === null) return { patient: o.patient, records: null };
  const records = recordList(o.records, 'records');
  return typeof records === 'string' ? records : { patient: o.patient, records };
}

export function parseRecordErase(p: unknown): RecordErasePayload | string {
  const o = obj(p, 'record.erase', ['request', 'records']);
  if (typeof o === 'string') return o;
  if (!isHex64(o.request)) return 'request must be an erasure.request transaction id';
  const records = recordList(o.records, 'records');
  return typeof records === 'string' ? records : { request: o.request, records };
}
