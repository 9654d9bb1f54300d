/**
 * @module
 * The consent, erasure and audit operations of a scoped ledger handle. Role checks here mirror the
 * consensus rules (tx-rules.ts) so a user gets a clear error before anything is signed; the chain
 * would reject the transaction anyway.
 */
import type { EventPage } from './access-log.ts';
import type { Json } from '../core/canonical-json.ts';
import type { Grantee, Purpose } from '../core/consent.ts';
import { AccessDeniedError, ArgumentValueError, NotFoundError } from '../core/errors.ts';
import { createTx } from '../core/tx.ts';
import type { AccessEntry, ConsentEntry } from '../state-machine/medical-state.ts';
import type { NodeServices, Session } from './node-services.ts';
import { rewrap } from './consent-wraps.ts';
import { stripPatient } from '../fhir/patient-ref.ts';

export interface ConsentRequest {
  readonly grantee: Grantee;
  readonly purpose: Purpose;
  /** FHIR resource types in scope; absent = all. */
  readonly types?: readonly string[];
  /** Clinical date range of the data in scope (ms). */
  readonly period?: { readonly start?: number; readonly end?: number };
  readonly validFrom?: number;
  readonly validTo: number;
}

function requireRole(s: Session, roles: readonly string[], what: string): void {
  if (!roles.includes(s.role))
    throw new AccessDeniedError('role-not-permitted', { action: what, role: s.role });
}

export async function grantConsent(node: NodeServices, s: Session, g: ConsentRequest): Promise<string> {
  requireRole(s, ['patient'], 'grant consent');
  const patient = s.patient!;
  const grantee: Json =
    g.grantee.kind === 'organization'
      ? { kind: 'organization', orgId: g.grantee.orgId }
      : { kind: 'practitioner', keyId: g.grantee.keyId };
  const period: Record<string, Json> = {};
  if (g.period?.start !== undefined) period.start = g.period.start;
  if (g.period?.end !== undefined) period.end = g.period.end;
  const payload: Json = {
    patient,
    grantee,
    scope: { ...(g.types ? { types: [...g.types] } : {}), ...(g.period ? { period } : {}) },
    purpose: g.purpose,
    validFrom: g.validFrom ?? node.now,
    validTo: g.validTo,
  };
  const tx = await node.submit(createTx(s.signer, 'consent.grant', payload, { time: node.now }));
  // Wrap the keys of the patient's records in scope for the grantee's organization.
  const dir = node.ledger.directory;
  const org = g.grantee.kind === 'organization' ? g.grantee.orgId : dir.active(g.grantee.keyId)?.org;
  if (org) rewrap(node, s, patient, `org:${org}`);
  return tx;
}

export async function revokeConsent(node: NodeServices, s: Session, consentId: string): Promise<string> {
  requireRole(s, ['patient'], 'revoke consent');
  const c = node.state.consents.get(consentId);
  if (!c || c.patient !== s.patient) throw new NotFoundError('consent', consentId);
  return node.submit(createTx(s.signer, 'consent.revoke', { consent: consentId }, { time: node.now }));
}

/** Whether `s` may see consent `c`: a patient their own, admins and auditors all, others those granted to them or their organization. */
export function consentVisibleTo(c: ConsentEntry, s: Session): boolean {
  if (s.role === 'patient') return c.patient === s.patient;
  if (s.role === 'admin' || s.role === 'auditor') return true;
  return c.grantee.kind === 'practitioner' ? c.grantee.keyId === s.keyId : c.grantee.orgId === s.org;
}

/** Consents `s` may see, in log order, read as the caller iterates: memory stays bounded however many there are. */
export function* visibleConsents(node: NodeServices, s: Session): Generator<ConsentEntry> {
  if (s.role === 'patient') {
    yield* node.state.consentsOf(s.patient!);
    return;
  }
  for (const c of node.state.consents.values()) if (consentVisibleTo(c, s)) yield c;
}

export function accessLog(
  node: NodeServices,
  s: Session,
  patientId?: string,
  page: EventPage = {},
): readonly AccessEntry[] {
  if (s.role === 'patient') {
    if (patientId !== undefined && node.blind(stripPatient(patientId)) !== s.patient)
      throw new AccessDeniedError('other-patient');
    return node.accessLog.ofPatient(s.patient!, page);
  }
  requireRole(s, ['auditor', 'admin'], 'read the access log');
  return patientId === undefined
    ? node.accessLog.all(page)
    : node.accessLog.ofPatient(node.blind(stripPatient(patientId)), page);
}

/** One access event by its transaction id, if the caller may see it (as for `accessLog`). */
export function accessEvent(node: NodeServices, s: Session, txId: string): AccessEntry | undefined {
  if (s.role !== 'patient') requireRole(s, ['auditor', 'admin'], 'read the access log');
  const e = node.accessLog.event(txId);
  return e && (s.role !== 'patient' || e.patient === s.patient) ? e : undefined;
}

/** How many access events the caller's `accessLog(patientId)` lists in all. */
export function accessLogSize(node: NodeServices, s: Session, patientId?: string): number {
  if (s.role === 'patient') return s.patient === undefined ? 0 : node.accessLog.count(s.patient);
  requireRole(s, ['auditor', 'admin'], 'read the access log');
  return node.accessLog.count(patientId === undefined ? undefined : node.blind(stripPatient(patientId)));
}

export async function requestErasure(
  node: NodeServices,
  s: Session,
  records: readonly string[] | null,
): Promise<string> {
  requireRole(s, ['patient'], 'request erasure');
  for (const id of records ?? []) {
    const r = node.state.records.get(id);
    if (!r || r.patient !== s.patient) throw new NotFoundError('record', id);
  }
  return node.submit(
    createTx(
      s.signer,
      'erasure.request',
      { patient: s.patient!, records: records ? [...records] : null },
      { time: node.now },
    ),
  );
}

export async function approveErasure(node: NodeServices, s: Session, requestTx: string): Promise<string> {
  requireRole(s, ['admin'], 'approve erasure');
  const req = node.state.erasureRequests.get(requestTx);
  if (!req) throw new NotFoundError('erasure request', requestTx);
  if (req.approvedBy) throw new ArgumentValueError('request', `already carried out by ${req.approvedBy}`);
  const originals = req.records ?? node.state.recordsOf(req.patient).map((r) => r.id);
  const records = originals.flatMap((id) => [id, ...(node.state.records.get(id)?.amendedBy ?? [])]);
  return node.submit(createTx(s.signer, 'record.erase', { request: requestTx, records }, { time: node.now }));
}

/** Patients with an active research consent that names the researcher or their organization. */
export function researchCohort(node: NodeServices, s: Session): string[] {
  requireRole(s, ['researcher'], 'export research data');
  const now = node.now;
  const out = new Set<string>();
  for (const c of node.state.consents.values()) {
    if (c.purpose !== 'research' || c.revokedBy || now < c.validFrom || now >= c.validTo) continue;
    const mine = c.grantee.kind === 'practitioner' ? c.grantee.keyId === s.keyId : c.grantee.orgId === s.org;
    if (mine) out.add(c.patient);
  }
  return [...out];
}
