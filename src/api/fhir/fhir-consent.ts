/**
 * @module
 * Consent over FHIR R4 (http://hl7.org/fhir/R4/consent.html): a patient POSTs a Consent to grant
 * access (a `consent.grant` on the ledger), reads the grants they can see as Consent resources, and
 * revokes one with DELETE (or a PUT that sets `status` to inactive). Grants are the ledger's own: the
 * scoped ledger decides who may grant, revoke and see them, exactly as on the native API. The
 * Consent's id is its `consent.grant` transaction id; a revoked grant is version 2, status inactive.
 */
import type { FastifyInstance } from 'fastify';
import type { Consent, OperationOutcome } from '@medplum/fhirtypes';
import {
  AccessDeniedError,
  ArgumentValueError,
  FhirValidationError,
  NotFoundError,
} from '../../core/errors.ts';
import { errorOutcome, isObject } from '../../fhir/outcome.ts';
import type { ConsentEntry } from '../../medical/facade.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import { consentResource, grantOf } from './fhir-consent-map.ts';
import { baseUrl, pageOf, sendFhir, single, versionHeaders } from './fhir-http.ts';
import type { FhirQuery } from './fhir-http.ts';
import { streamedSearchset } from './fhir-searchset.ts';

export function consentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { node } = ctx;
  const tags = ['fhir'];
  const show = (c: ConsentEntry): Consent => consentResource(c, ctx.now(), node.patientIdOf(c.patient));
  const visible = (req: Parameters<typeof authOf>[0], id: string): ConsentEntry => {
    const c = authOf(req).scope.consent(id);
    if (!c) throw new NotFoundError('consent', id);
    return c;
  };

  app.post(
    '/Consent',
    { schema: { tags, summary: 'Grant consent (patient): recipient, purpose, validity, resource types' } },
    async (req, reply) => {
      const a = authOf(req, 'patient');
      const { grant, patient } = grantOf(req.body);
      if (patient !== undefined && node.blind(patient) !== a.session.patient)
        throw new AccessDeniedError('other-patient', { patient });
      const tx = await a.scope.grantConsent(grant);
      const c = a.scope.consent(tx);
      if (!c) throw new NotFoundError('consent', tx);
      return sendFhir(reply, 201, show(c), {
        location: `${baseUrl(req)}/Consent/${c.id}/_history/1`,
        ...versionHeaders(1, c.grantedAt),
      });
    },
  );

  app.get<{ Querystring: FhirQuery }>(
    '/Consent',
    {
      schema: {
        tags,
        summary: "Consents visible to the caller: a patient's own, those granted to the caller",
      },
    },
    async (req, reply) => {
      const q = req.query;
      const used = new URLSearchParams();
      const patient = single(q, 'patient');
      const blind = patient === undefined ? undefined : node.blind(patient.replace(/^Patient\//, ''));
      if (patient !== undefined) used.set('patient', patient);
      const status = single(q, 'status');
      if (status !== undefined) used.set('status', status);
      const id = single(q, '_id');
      if (id !== undefined) used.set('_id', id);
      const page = pageOf(q);
      // Read as the bundle is built: a page of resources in memory, however many consents match.
      const consents = authOf(req).scope.consents();
      function* matches(): Generator<Consent> {
        for (const c of consents) {
          if (blind !== undefined && c.patient !== blind) continue;
          if (id !== undefined && c.id !== id) continue;
          const r = show(c);
          if (status === undefined || r.status === status) yield r;
        }
      }
      return sendFhir(
        reply,
        200,
        streamedSearchset({ base: baseUrl(req), path: 'Consent', params: used, matches: matches(), page }),
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    '/Consent/:id',
    { schema: { tags, summary: 'One consent the caller may see' } },
    async (req, reply) => {
      const c = show(visible(req, req.params.id));
      return sendFhir(
        reply,
        200,
        c,
        versionHeaders(c.meta?.versionId ?? '1', Date.parse(c.meta?.lastUpdated ?? '')),
      );
    },
  );

  const revoke = async (req: Parameters<typeof authOf>[0], id: string): Promise<string> => {
    const a = authOf(req, 'patient');
    visible(req, id);
    return a.scope.revokeConsent(id);
  };

  app.delete<{ Params: { id: string } }>(
    '/Consent/:id',
    { schema: { tags, summary: 'Revoke a consent (patient); it stays on the ledger as revoked' } },
    async (req, reply) => {
      const tx = await revoke(req, req.params.id);
      const outcome: OperationOutcome = {
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'information',
            code: 'informational',
            diagnostics: `consent ${req.params.id} revoked by ledger transaction ${tx}`,
          },
        ],
      };
      return sendFhir(reply, 200, outcome);
    },
  );

  app.put<{ Params: { id: string } }>(
    '/Consent/:id',
    { schema: { tags, summary: 'Revoke a consent by setting status to inactive; nothing else can change' } },
    async (req, reply) => {
      const body = req.body;
      if (!isObject(body) || body.resourceType !== 'Consent')
        throw new ArgumentValueError('resourceType', 'the body must be a FHIR Consent');
      if (body.id !== req.params.id)
        throw new ArgumentValueError('id', 'the resource id must equal the id in the URL (http.html#update)');
      if (body.status !== 'inactive' && body.status !== 'rejected') {
        const text =
          'a granted consent cannot be changed: set status to inactive to revoke it, then grant a new one';
        throw new FhirValidationError(text, errorOutcome('not-supported', text, 'Consent.status'));
      }
      await revoke(req, req.params.id);
      const c = show(visible(req, req.params.id));
      return sendFhir(reply, 200, c, versionHeaders(2, Date.parse(c.meta?.lastUpdated ?? '')));
    },
  );
}
