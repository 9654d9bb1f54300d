/**
 * @module
 * The access log as FHIR R4 AuditEvent resources (http://hl7.org/fhir/R4/auditevent.html, coded by
 * `toAuditEvent`): `GET AuditEvent?patient=[id]` is who read or wrote what of a patient, when, why,
 * allowed or denied, and every break-glass access. Same rules as the native access log: a patient
 * sees their own; auditors and admins anyone's (without `patient`, everyone's). Newest first; `date`
 * filters on the time recorded, with the FHIR prefixes.
 */
import type { FastifyInstance } from 'fastify';
import type { AuditEvent } from '@medplum/fhirtypes';
import { NotFoundError } from '../../core/errors.ts';
import { toAuditEvent } from '../../fhir/audit-event.ts';
import type { AccessEntry } from '../../ledger/medical-state.ts';
import type { MedicalNode } from '../../node/medical-node.ts';
import { stripPatient } from '../../node/scoped-ledger.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import { patientIdOf } from './fhir-consent.ts';
import { baseUrl, pageOf, sendFhir, single, values } from './fhir-http.ts';
import type { FhirQuery } from './fhir-http.ts';
import { dateMatches, parseDateParam, splitOr } from './fhir-search-params.ts';
import { searchset } from './fhir-searchset.ts';

/** One ledger access event as an AuditEvent; `patientId` names the patient when known. */
export function auditEventOf(node: MedicalNode, e: AccessEntry, patientId: string | undefined): AuditEvent {
  const who = node.ledger.directory.entry(e.requester);
  const account = node.accounts.byKeyId(e.requester);
  return toAuditEvent({
    id: e.tx,
    time: e.time,
    requester: {
      keyId: e.requester,
      role: who?.role ?? 'unknown',
      ...(who?.org ? { org: who.org } : {}),
      ...(account ? { display: account.name } : {}),
    },
    ...(patientId === undefined ? {} : { patientRef: `Patient/${patientId}` }),
    records: e.records,
    // toAuditEvent knows no 'search' action yet: a search is a read of what it returned.
    action: e.action === 'search' ? 'read' : e.action,
    purpose: e.purpose,
    outcome: e.outcome,
    reason: e.reason,
    breakGlass: e.breakGlass,
    height: e.height,
  });
}

export function auditRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { node } = ctx;
  const tags = ['fhir'];
  const ids = new Map<string, string>();
  const idOf = (e: AccessEntry): string | undefined =>
    e.patient === undefined ? undefined : patientIdOf(node, e.patient, ids);

  app.get<{ Querystring: FhirQuery }>(
    '/AuditEvent',
    { schema: { tags, summary: 'The access log of a patient (patient=ID) as AuditEvents, newest first' } },
    async (req, reply) => {
      const q = req.query;
      const used = new URLSearchParams();
      const patient = single(q, 'patient');
      const log = authOf(req).ledger.accessLog(patient);
      const dates = values(q, 'date').map((v) => splitOr(v).map((d) => parseDateParam('date', d)));
      if (patient !== undefined) used.set('patient', patient);
      for (const v of values(q, 'date')) used.append('date', v);
      const known = patient === undefined ? undefined : stripPatient(patient);
      const matches = [...log]
        .reverse()
        .filter((e) => dates.length === 0 || dateMatches(new Date(e.time).toISOString(), dates))
        .map((e) => auditEventOf(node, e, known ?? idOf(e)));
      const page = pageOf(q);
      return sendFhir(
        reply,
        200,
        searchset({ base: baseUrl(req), path: 'AuditEvent', params: used, matches, page }),
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    '/AuditEvent/:id',
    { schema: { tags, summary: 'One access event the caller may see, by its ledger transaction id' } },
    async (req, reply) => {
      const e = authOf(req)
        .ledger.accessLog()
        .find((x) => x.tx === req.params.id);
      if (!e) throw new NotFoundError('AuditEvent', req.params.id);
      return sendFhir(reply, 200, auditEventOf(node, e, idOf(e)));
    },
  );
}
