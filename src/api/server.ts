/**
 * @module
 * The node's HTTP server: Fastify 5 with one plugin per feature — auth, users, records, consent,
 * audit, chain and proofs, research, FHIR R4, health and metrics — an OpenAPI 3 document at
 * `/openapi.json` with interactive docs at `/docs`, one error handler over the error registry,
 * security headers, body limits, structured logs without PHI (route patterns, never URLs or bodies),
 * and a graceful close that commits every pending transaction before the node closes.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController } from 'fastify';
import helmet from 'helmet';
import type { FastifyHttpsOptions, FastifyInstance, FastifyReply, FastifyServerOptions } from 'fastify';
import type https from 'node:https';
import { HttpError } from '../core/errors.ts';
import { IntegrityMonitor } from '../integrity/integrity-monitor.ts';
import { LoginLimiter, startSealPool } from '../medical/facade.ts';
import type { LimiterOptions, MedicalNode } from '../medical/facade.ts';
import { Authenticator } from './auth.ts';
import type { ApiContext, FhirScanLimits } from './context.ts';
import { DEFAULT_FHIR_SCAN, DEFAULT_RESEARCH_JSON_MAX } from './context.ts';
import { asMedLedgerError, errorBody } from './http-errors.ts';
import { attackRoutes } from './routes/attack-routes.ts';
import { cohortRoutes } from './routes/cohort-routes.ts';
import { accessRequestRoutes } from './routes/access-request-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { chainRoutes } from './routes/chain-routes.ts';
import { membershipRoutes } from './routes/membership-routes.ts';
import { replicaRoutes } from './routes/replica-routes.ts';
import { consentRoutes } from './routes/consent-routes.ts';
import { directoryRoutes, portalRoutes } from './routes/portal-routes.ts';
import type { DemoInfo } from './contract/auth.ts';
import { healthRoutes, metricsPlugin } from './routes/ops-routes.ts';
import { recordRoutes } from './routes/record-routes.ts';
import { researchRoutes } from './routes/research-routes.ts';
import { userRoutes } from './routes/user-routes.ts';
import { fhirRoutes, isFhirRequest, outcomeOf } from './fhir/fhir-routes.ts';
import { ensureR4Definitions } from '../fhir/definitions.ts';
import { Sessions } from './sessions.ts';
import type { SessionOptions } from './sessions.ts';

export interface ServerOptions {
  readonly node: MedicalNode;
  /** Fastify's logger (pino) options, or false for none. Default: JSON logs at info. */
  readonly logger?: FastifyServerOptions['logger'];
  readonly sessions?: SessionOptions;
  readonly limiter?: LimiterOptions;
  /** Interval of the background integrity run (default 5 s). */
  readonly monitorIntervalMs?: number;
  /** Request body limit in bytes (default 16 MiB: Synthea bundles are a few MiB). */
  readonly bodyLimit?: number;
  readonly https?: { readonly key: Buffer; readonly cert: Buffer };
  readonly now?: () => number;
  /** Demo identities for the portal's "try as…" picker (demo nodes only). */
  readonly demo?: DemoInfo;
  /** The built portal (default web/dist); without index.html there, `/` is a plain landing page. */
  readonly portalDir?: string;
  /** How FHIR searches scan a large patient's records (default DEFAULT_FHIR_SCAN). */
  readonly fhirScan?: Partial<FhirScanLimits>;
  /** Items of a list page when the request names no `limit` (default and most 1,000). */
  readonly pageSize?: number;
  /**
   * The node's public base URL (`https://fhir.example.org`), for `Location` headers and FHIR
   * `fullUrl`s; the Host header is never used. Default: the address the server listens on.
   */
  readonly publicUrl?: string;
  /** Cohort records beyond which `/research/omop` answers JSON no more (default 50,000). */
  readonly researchJsonMax?: number;
  /** Display names of condition codes by OMOP source value (default none: cohorts show codes). */
  readonly conditionNames?: ReadonlyMap<string, string>;
}

export interface NodeServer {
  readonly app: FastifyInstance;
  readonly ctx: ApiContext;
  /** Listens on host:port; resolves with the address. */
  listen(port: number, host?: string): Promise<string>;
  /** Stops accepting requests, finishes those in flight, commits pending transactions, closes the node. */
  close(): Promise<void>;
}

const DEFAULT_LOGGER = {
  level: 'info',
  redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], remove: true },
};

export async function buildServer(opts: ServerOptions): Promise<NodeServer> {
  const now = opts.now ?? Date.now;
  const node = opts.node;
  node.produceBlocks();
  const ctx: ApiContext = {
    node,
    sessions: new Sessions({ ...opts.sessions, now }),
    limiter: new LoginLimiter({ ...opts.limiter, now }),
    monitor: new IntegrityMonitor(node, { intervalMs: opts.monitorIntervalMs ?? 5000, now }),
    now,
    fhirScan: { ...DEFAULT_FHIR_SCAN, ...opts.fhirScan },
    researchJsonMax: opts.researchJsonMax ?? DEFAULT_RESEARCH_JSON_MAX,
    conditionNames: opts.conditionNames ?? new Map(),
    pageSize: Math.min(1000, Math.max(1, opts.pageSize ?? 1000)),
    closing: false,
  };
  const base: FastifyServerOptions = {
    logger: opts.logger ?? DEFAULT_LOGGER,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? 16 * 1024 * 1024,
    trustProxy: false,
    // Our onRequest hook answers ML_ERR_NODE_UNAVAILABLE while closing, in the registry format.
    return503OnClosing: false,
    // Router errors (a malformed URL escape, an over-long parameter) in the registry format too.
    frameworkErrors: (err, req, raw) => {
      const reply = raw as unknown as FastifyReply;
      const { error } = asMedLedgerError(err);
      if (isFhirRequest(req))
        void reply.code(error.status).type('application/fhir+json').send(outcomeOf(error));
      else void reply.code(error.status).send(errorBody(error));
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  };
  // One instance type for http and https (Fastify's overloads would otherwise pick http2 types).
  const app = (opts.https
    ? Fastify({
        ...(base as FastifyHttpsOptions<https.Server>),
        https: { key: opts.https.key, cert: opts.https.cert },
      })
    : Fastify(base)) as unknown as FastifyInstance;
  const authn = new Authenticator(ctx);
  app.decorateRequest('auth', null);
  const publicUrl = { url: opts.publicUrl?.replace(/\/+$/, '') ?? '' };
  app.decorate('publicUrl', publicUrl);
  // A body we do not parse is a 415, not Fastify's plain-text default (removed before any route
  // plugin, which would otherwise keep it).
  app.removeContentTypeParser('text/plain');

  // The docs' own routes are public (they hold no data).
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs') || route.url === '/openapi.json')
      route.config = { ...(route.config as object), public: true };
  });

  // Security headers (OWASP secure headers) by helmet itself, its middleware built once: @fastify/helmet
  // builds it again for every request, at a cost to the event loop each time.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  app.addHook('onRequest', (req, reply, done) => {
    securityHeaders(req.raw, reply.raw, (e?: unknown) => {
      done(e instanceof Error ? e : undefined);
    });
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'MedLedger node API',
        version: '0.1.0',
        description:
          'Native API of a MedLedger node. Every route except login, health and metrics needs `Authorization: Bearer <token>` (a session token from /api/v1/auth/login or a personal API token). Errors are `{error: {code, message, data}}` with a stable ML_ERR_… code. The FHIR R4 API is at /fhir/R4 (CapabilityStatement at /fhir/R4/metadata).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: false } });
  app.addHook('onRequest', async (req) => {
    if (ctx.closing && req.method !== 'GET')
      throw new HttpError('ML_ERR_NODE_UNAVAILABLE', 'the node is shutting down');
    await authn.authenticate(req);
  });
  // One log line per request: route pattern (never the URL: it may carry ids), status, time, user.
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        user: req.auth?.session.keyId,
      },
      'request',
    );
  });

  app.setErrorHandler(async (err, req, reply) => {
    const { error, internal } = asMedLedgerError(err);
    if (internal)
      req.log.error(
        { err: { type: (err as Error).name, message: (err as Error).message, stack: (err as Error).stack } },
        'internal error',
      );
    if ('retryAfterS' in error && typeof error.retryAfterS === 'number')
      void reply.header('retry-after', String(error.retryAfterS));
    if (error.status === 401) void reply.header('www-authenticate', 'Bearer');
    if (isFhirRequest(req))
      return reply.code(error.status).type('application/fhir+json').send(outcomeOf(error));
    return reply.code(error.status).send(errorBody(error));
  });
  app.setNotFoundHandler(async (req, reply) => {
    const error = new HttpError(
      'ML_ERR_HTTP_NOT_FOUND',
      `no route ${req.method} ${req.routeOptions.url ?? ''}`.trim(),
    );
    if (isFhirRequest(req)) return reply.code(404).type('application/fhir+json').send(outcomeOf(error));
    return reply.code(404).send(errorBody(error));
  });

  await app.register(metricsPlugin(ctx));
  await app.register(healthRoutes(ctx));
  await app.register(portalRoutes(ctx, opts.portalDir));
  await app.register(directoryRoutes(ctx, opts.demo), { prefix: '/api/v1' });
  await app.register(authRoutes(ctx, authn), { prefix: '/api/v1/auth' });
  await app.register(userRoutes(ctx), { prefix: '/api/v1' });
  await app.register(recordRoutes(ctx), { prefix: '/api/v1' });
  await app.register(consentRoutes(ctx), { prefix: '/api/v1' });
  await app.register(accessRequestRoutes(ctx), { prefix: '/api/v1' });
  await app.register(chainRoutes(ctx), { prefix: '/api/v1' });
  await app.register(replicaRoutes(ctx), { prefix: '/api/v1' });
  await app.register(membershipRoutes(ctx), { prefix: '/api/v1' });
  await app.register(researchRoutes(ctx), { prefix: '/api/v1' });
  await app.register(cohortRoutes(ctx), { prefix: '/api/v1' });
  await app.register(attackRoutes(ctx), { prefix: '/api/v1' });
  await app.register(fhirRoutes(ctx), { prefix: '/fhir/R4' });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  app.addHook('onSend', async (req, reply) => {
    if (ctx.closing) void reply.header('connection', 'close');
    // Answers to signed-in callers may carry patient data: never cached.
    if (req.auth) void reply.header('cache-control', 'no-store');
  });

  let wasCompromised = false;
  ctx.monitor.onChange((s) => {
    if (s.state === 'ok' && !wasCompromised) return;
    wasCompromised = s.state === 'compromised';
    if (s.state === 'compromised')
      app.log.error(
        { alert: 'integrity', problems: s.problems },
        'INTEGRITY ALERT: the ledger or vault was altered',
      );
    else app.log.warn({ alert: 'integrity', state: s.state }, 'integrity restored');
  });
  await app.ready();

  let closed: Promise<void> | undefined;
  return {
    app,
    ctx,
    async listen(port, host = '127.0.0.1') {
      // Record writes seal in worker threads, and validate against the FHIR definitions (slow to
      // index): both ready before the first request, which would otherwise wait for them.
      await startSealPool();
      ensureR4Definitions();
      const address = await app.listen({ port, host });
      if (publicUrl.url === '') publicUrl.url = address;
      await ctx.monitor.start();
      return address;
    },
    close() {
      closed ??= (async () => {
        ctx.closing = true;
        ctx.monitor.stop();
        // Requests already on the wire reach the onRequest hook and get a 503 instead of a reset.
        await new Promise((r) => setTimeout(r, 250));
        await app.close();
        try {
          await node.commit();
        } finally {
          // Even when the last commit fails (etcd gone, a node no longer a member), nothing stays open.
          await node.close();
        }
      })();
      return closed;
    },
  };
}
