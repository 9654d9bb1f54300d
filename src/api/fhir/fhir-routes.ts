/**
 * @module
 * The FHIR R4 REST API at `/fhir/R4` (http://hl7.org/fhir/R4/http.html). Same access rules and audit
 * as the native API: every call goes through the caller's scoped ledger handle. The CapabilityStatement
 * (`/metadata`) is public; everything else needs a bearer token. Errors are OperationOutcomes (the
 * server's error handler, fhir-outcome.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../context.ts';
import { capabilityStatement } from './capability.ts';
import { auditRoutes } from './fhir-audit.ts';
import { bundleRoutes } from './fhir-bundle.ts';
import { consentRoutes } from './fhir-consent.ts';
import { sendFhir } from './fhir-http.ts';
import { readRoutes } from './fhir-read.ts';
import { searchRoutes } from './fhir-search.ts';
import { writeRoutes } from './fhir-write.ts';

export { isFhirRequest, outcomeOf } from './fhir-outcome.ts';

export function fhirRoutes(ctx: ApiContext): FastifyPluginAsync {
  return (app) => {
    const json = app.getDefaultJsonParser('error', 'error');
    // FHIR's own media type (and the DSTU2 one clients still send); a POST without a body (an
    // operation without parameters) is allowed. JSON Patch is parsed only to be refused with 405.
    app.addContentTypeParser(
      ['application/fhir+json', 'application/json+fhir', 'application/json-patch+json'],
      { parseAs: 'string' },
      (req, body, done) => {
        if (body === '') {
          done(null, undefined);
          return;
        }
        void json(req, body as string, done);
      },
    );
    app.get(
      '/metadata',
      { config: { public: true }, schema: { tags: ['fhir'], summary: 'CapabilityStatement', security: [] } },
      async (_req, reply) => sendFhir(reply, 200, capabilityStatement(ctx.now())),
    );
    consentRoutes(app, ctx);
    auditRoutes(app, ctx);
    bundleRoutes(app, ctx);
    searchRoutes(app, ctx.fhirScan);
    readRoutes(app);
    writeRoutes(app);
    return Promise.resolve();
  };
}
