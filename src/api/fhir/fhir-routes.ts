/**
 * @module
 * The FHIR R4 REST API at `/fhir/R4` (http://hl7.org/fhir/R4/http.html). Same access rules and audit
 * as the native API: every call goes through the caller's scoped ledger handle.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../context.ts';
import { capabilityStatement } from './capability.ts';

export { isFhirRequest, outcomeOf } from './fhir-outcome.ts';

export function fhirRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    app.addContentTypeParser(
      ['application/fhir+json', 'application/json+fhir'],
      { parseAs: 'string' },
      app.getDefaultJsonParser('error', 'error'),
    );
    app.get(
      '/metadata',
      { config: { public: true }, schema: { tags: ['fhir'], summary: 'CapabilityStatement', security: [] } },
      async (_req, reply) => reply.type('application/fhir+json').send(capabilityStatement(ctx.now())),
    );
  };
}
