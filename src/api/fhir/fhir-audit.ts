/**
 * @module
 * The access log as FHIR R4 AuditEvent resources (http://hl7.org/fhir/R4/auditevent.html, coded by
 * `toAuditEvent`): `GET AuditEvent?patient=[id]` is who read or wrote what of a patient, when, why,
 * allowed or denied, and every break-glass access. Same rules as the native access log: a patient
 * sees their own; auditors and admins anyone's (without `patient`, everyone's). Newest first; `date`
 * filters on the time recorded, with the FHIR prefixes. A log longer than one request may read is
 * paged by `_cursor` (a log position) without `total`, as a large patient's search is (fhir-search.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { AuditEvent } from '@medplum/fhirtypes';
import { ArgumentValueError, NotFoundError } from '../../core/errors.ts';
import { toAuditEvent } from '../../fhir/audit-event.ts';
import type { AccessEntry, MedicalFacade } from '../../medical/facade.ts';
import { stripPatient } from '../../fhir/patient-ref.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import { baseUrl, pageOf, sendFhir, single, values } from './fhir-http.ts';
import type { FhirQuery } from './fhir-http.ts';
import { dateMatches, parseDateParam, splitOr } from './fhir-search-params.ts';
import { cursorSearchset, searchset } from './fhir-searchset.ts';

/** One ledger access event as an AuditEvent; `patientId` names the patient when known. */
export function auditEventOf(
  node: Pick<MedicalFacade, 'chain' | 'account'>,
  e: AccessEntry,
  patientId: string | undefined,
): AuditEvent {
  const who = node.chain.directory.entry(e.requester);
  const account = node.account(e.requester);
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
  const idOf = (e: AccessEntry): string | undefined =>
    e.patient === undefined ? undefined : node.patientIdOf(e.patient);

  app.get<{ Querystring: FhirQuery }>(
    '/AuditEvent',
    { schema: { tags, summary: 'The access log of a patient (patient=ID) as AuditEvents, newest first' } },
    async (req, reply) => {
      const q = req.query;
      const used = new URLSearchParams();
      const patient = single(q, 'patient');
      const scope = authOf(req).scope;
      const dates = values(q, 'date').map((v) => splitOr(v).map((d) => parseDateParam('date', d)));
      if (patient !== undefined) used.set('patient', patient);
      for (const v of values(q, 'date')) used.append('date', v);
      const known = patient === undefined ? undefined : stripPatient(patient);
      const keep = (e: AccessEntry): boolean =>
        dates.length === 0 || dateMatches(new Date(e.time).toISOString(), dates);
      const page = pageOf(q);
      const base = baseUrl(req);
      const cursor = seqCursorOf(q);
      if (cursor === undefined && scope.accessLogSize(patient) <= ctx.fhirScan.wholeLimit) {
        const matches = scope
          .accessLog(patient, { newestFirst: true })
          .filter(keep)
          .map((e) => auditEventOf(node, e, known ?? idOf(e)));
        return sendFhir(reply, 200, searchset({ base, path: 'AuditEvent', params: used, matches, page }));
      }
      // A long log: a window at a time, newest first, from the cursor (a log position) down.
      if (page.offset > 0)
        throw new ArgumentValueError('_offset', 'this log is paged by _cursor: follow the next link');
      const matches: AuditEvent[] = [];
      let before = cursor;
      let more = page.count > 0;
      for (let read = 0; more && matches.length < page.count && read < ctx.fhirScan.budget;) {
        const events = scope.accessLog(patient, {
          newestFirst: true,
          limit: ctx.fhirScan.chunk,
          ...(before === undefined ? {} : { before }),
        });
        read += events.length;
        more = events.length === ctx.fhirScan.chunk;
        for (const [k, e] of events.entries()) {
          before = e.seq;
          if (!keep(e)) continue;
          matches.push(auditEventOf(node, e, known ?? idOf(e)));
          if (matches.length === page.count) {
            more ||= k < events.length - 1;
            break;
          }
        }
      }
      const next = more && before !== undefined ? String(before) : undefined;
      return sendFhir(
        reply,
        200,
        cursorSearchset({
          base,
          path: 'AuditEvent',
          params: used,
          matches,
          count: page.count,
          cursor: cursor === undefined ? undefined : String(cursor),
          next,
        }),
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    '/AuditEvent/:id',
    { schema: { tags, summary: 'One access event the caller may see, by its ledger transaction id' } },
    async (req, reply) => {
      const e = authOf(req).scope.accessEvent(req.params.id);
      if (!e) throw new NotFoundError('AuditEvent', req.params.id);
      return sendFhir(reply, 200, auditEventOf(node, e, idOf(e)));
    },
  );
}

/** `_cursor` of a long log (a log position), or undefined; refused with `_offset`. */
function seqCursorOf(q: FhirQuery): number | undefined {
  const c = single(q, '_cursor');
  if (c === undefined) return undefined;
  if (!/^\d{1,15}$/.test(c)) throw new ArgumentValueError('_cursor', 'is not a cursor of this server');
  if (single(q, '_offset') !== undefined) throw new ArgumentValueError('_offset', 'does not go with _cursor');
  return Number(c);
}
