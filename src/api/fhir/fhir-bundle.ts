/**
 * @module
 * `transaction` and `batch` Bundles POSTed at the base URL (http://hl7.org/fhir/R4/http.html#transaction),
 * so a Synthea patient Bundle imports over HTTP. Entries are prepared by `prepareBundle` (new ids,
 * `urn:uuid:` and `Type/id` references rewritten, every resource validated, dependency order) and
 * written as the caller through their scoped ledger: a POST entry is a new record, a PUT to an
 * existing id an amendment, a PUT to a new id a record with that id. The writes share blocks and the
 * answer waits until all are committed.
 *
 * A transaction is all or nothing before anything is written: one invalid entry refuses the whole
 * Bundle (422, an OperationOutcome whose expressions point into `Bundle.entry[i]`), and so does a
 * caller who could not write its entries (a role that never writes; a patient writing for someone
 * else). The ledger is append-only, so a failure after writing began (rare: a consent revoked
 * meanwhile) cannot be rolled back; the answer then says how many entries were written. A batch
 * answers each entry on its own. Response entries keep the request order (http.html#transaction-response).
 */
import { newRecordId } from '../../medical/facade.ts';
import type { Session } from '../../medical/facade.ts';
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Bundle, BundleEntryResponse, OperationOutcome } from '@medplum/fhirtypes';
import {
  AccessDeniedError,
  FhirBundleError,
  FhirValidationError,
  RoleForbiddenError,
} from '../../core/errors.ts';
import type { OperationOutcomeLike } from '../../core/errors.ts';
import { prepareBundle } from '../../fhir/bundle.ts';
import type { PreparedEntry, RejectedEntry } from '../../fhir/bundle.ts';
import { isObject } from '../../fhir/outcome.ts';
import { patientReference } from '../../fhir/patient-ref.ts';
import { stripPatient } from '../../fhir/patient-ref.ts';
import { asMedLedgerError } from '../http-errors.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import { outcomeOf } from './fhir-outcome.ts';
import { iso, sendFhir } from './fhir-http.ts';

type Kind = 'transaction' | 'batch';

function kindOf(body: unknown): { kind: Kind; size: number } {
  if (!isObject(body) || body.resourceType !== 'Bundle')
    throw new FhirBundleError('POST at the base URL takes a transaction or batch Bundle');
  if (body.type !== 'transaction' && body.type !== 'batch')
    throw new FhirBundleError(
      `Bundle type ${String(body.type).slice(0, 64)} cannot be processed here; want transaction or batch`,
      { type: String(body.type).slice(0, 64) },
    );
  return { kind: body.type, size: Array.isArray(body.entry) ? body.entry.length : 0 };
}

export function statusLine(status: number): string {
  return `${String(status)} ${STATUS_CODES[status] ?? ''}`.trim();
}

/** Re-roots an entry's issues at `Bundle.entry[i]` (resource paths become `Bundle.entry[i].resource.…`). */
export function entryIssues(r: RejectedEntry): OperationOutcomeLike['issue'] {
  const at = `Bundle.entry[${String(r.index)}]`;
  return r.outcome.issue.map((i) => ({
    ...i,
    ...(i.expression
      ? {
          expression: i.expression.map((e) =>
            e.startsWith('Bundle.') ? e : `${at}.resource${e.includes('.') ? e.slice(e.indexOf('.')) : ''}`,
          ),
        }
      : {}),
    details: { text: `${at}${r.fullUrl ? ` (${r.fullUrl})` : ''}: ${i.details?.text ?? i.code}` },
  }));
}

function invalidTransaction(rejected: readonly RejectedEntry[]): FhirValidationError {
  const outcome: OperationOutcomeLike = {
    resourceType: 'OperationOutcome',
    issue: rejected.flatMap(entryIssues),
  };
  return new FhirValidationError(
    `${String(rejected.length)} entr${rejected.length === 1 ? 'y is' : 'ies are'} invalid; nothing was written`,
    outcome,
  );
}

/**
 * Refuses up front a transaction the caller could not write whole, so it is not cut off half way:
 * only doctors and patients write records, and a patient only their own. The scoped ledger still
 * decides each write.
 */
function preflight(
  node: Pick<ApiContext['node'], 'blind'>,
  s: Session,
  entries: readonly PreparedEntry[],
): void {
  if (s.role !== 'doctor' && s.role !== 'patient')
    throw new RoleForbiddenError(s.role, ['doctor', 'patient']);
  if (s.role !== 'patient') return;
  for (const e of entries) {
    const ref = patientReference(e.resource);
    if (ref === undefined || node.blind(stripPatient(ref)) !== s.patient)
      throw new AccessDeniedError('other-patient', { entry: e.index });
  }
}

export function bundleRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { node } = ctx;
  app.post(
    '/',
    { schema: { tags: ['fhir'], summary: 'transaction or batch Bundle (e.g. a Synthea patient import)' } },
    async (req, reply) => {
      const a = authOf(req);
      const { kind, size } = kindOf(req.body);
      const p = prepareBundle(req.body, { newId: newRecordId });
      if (kind === 'transaction') {
        if (p.rejected.length > 0) throw invalidTransaction(p.rejected);
        preflight(node, a.session, p.entries);
      }
      const responses: (BundleEntryResponse | undefined)[] = new Array<undefined>(size).fill(undefined);
      for (const r of p.rejected)
        responses[r.index] = {
          status: statusLine(422),
          outcome: { resourceType: 'OperationOutcome', issue: entryIssues(r) } as OperationOutcome,
        };
      const outcomes = await a.scope.writeEach(p.entries, kind === 'transaction');
      let written = 0;
      for (const [i, o] of outcomes.entries()) {
        const e = p.entries[i]!;
        if (o.ok) {
          const w = o.write;
          responses[e.index] = {
            status: o.created ? statusLine(201) : statusLine(200),
            location: `${e.resource.resourceType}/${w.id}/_history/${String(w.version)}`,
            etag: `W/"${String(w.version)}"`,
            lastModified: iso(w.time),
          };
          written++;
          continue;
        }
        const { error, internal } = asMedLedgerError(o.error);
        if (internal) throw o.error;
        if (kind === 'batch') {
          responses[e.index] = { status: statusLine(error.status), outcome: outcomeOf(error) };
          continue;
        }
        const first = outcomeOf(error);
        const outcome: OperationOutcome = {
          ...first,
          issue: [
            ...first.issue,
            {
              severity: 'information',
              code: 'informational',
              diagnostics: `Bundle.entry[${String(e.index)}] failed after ${String(written)} entries were written; the ledger is append-only, so they stay`,
            },
          ],
        };
        req.log.warn({ written, code: error.code }, 'transaction stopped part way');
        return sendFhir(reply, error.status, outcome);
      }
      const out: Bundle = {
        resourceType: 'Bundle',
        type: kind === 'transaction' ? 'transaction-response' : 'batch-response',
        entry: responses.map((response) => ({ response: response ?? { status: statusLine(400) } })),
      };
      return sendFhir(reply, 200, out);
    },
  );
}
