/**
 * @module
 * Operations: `/health` (200 ok or 503 compromised, naming every problem's location), the integrity
 * status and an on-demand full verification with signatures (admin, auditor), and Prometheus
 * metrics at `/metrics` (requests, latencies, block height, committed tx/s, integrity state).
 */
import type { FastifyPluginAsync } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { threadHeaps } from '../../medical/facade.ts';
import type { IntegrityStatus } from '../../integrity/integrity-monitor.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import type { Health, IntegrityView } from '../contract/ops.ts';
import { errorResponses } from '../schemas.ts';

const statusSchema = { type: 'object', additionalProperties: true } as const;

export function integrityView(s: IntegrityStatus): IntegrityView {
  return {
    status: s.state,
    height: s.height,
    verifiedHeight: s.verifiedHeight,
    problems: s.problems,
    ...(s.lastRun
      ? {
          lastRun: {
            at: new Date(s.lastRun.at).toISOString(),
            elapsedMs: Math.round(s.lastRun.elapsedMs),
            signatures: s.lastRun.signatures,
            full: s.lastRun.full,
          },
        }
      : {}),
    runs: s.runs,
  };
}

export function healthRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/health',
      {
        config: { public: true },
        schema: {
          tags: ['ops'],
          summary: 'ok (200) or compromised (503) with the location of every problem',
          security: [],
          response: { 200: statusSchema, 503: statusSchema },
        },
      },
      async (_req, reply) => {
        const s = ctx.monitor.status;
        if (s.state === 'compromised')
          return reply.code(503).send({
            status: 'compromised',
            problems: s.problems,
            height: ctx.node.chain.height,
            verifiedHeight: s.verifiedHeight,
          } satisfies Health);
        return {
          status: s.state === 'starting' ? 'starting' : 'ok',
          height: ctx.node.chain.height,
          verifiedHeight: s.verifiedHeight,
        } satisfies Health;
      },
    );

    app.get(
      '/api/v1/integrity',
      {
        schema: {
          tags: ['ops'],
          summary: 'Integrity monitor status',
          response: { 200: statusSchema, ...errorResponses },
        },
      },
      async (req) => {
        authOf(req);
        return integrityView(ctx.monitor.status);
      },
    );

    app.post(
      '/api/v1/integrity/verify',
      {
        schema: {
          tags: ['ops'],
          summary: 'Run a full verification now, with every signature (admin, auditor)',
          response: { 200: statusSchema, ...errorResponses },
        },
      },
      async (req) => {
        authOf(req, 'admin', 'auditor');
        return integrityView(await ctx.monitor.run({ signatures: true }));
      },
    );
  };
}

/**
 * Prometheus metrics of one server (its own registry, so several servers can run in one process).
 * The plugin is not encapsulated (Fastify's `skip-override`, what fastify-plugin sets): its
 * onResponse hook must see every route of the server, not only `/metrics`.
 */
export function metricsPlugin(ctx: ApiContext): FastifyPluginAsync {
  const plugin: FastifyPluginAsync = async (app) => {
    const registry = new Registry();
    // prom-client's names already start with process_ / nodejs_: medledger_process_cpu_seconds_total…
    collectDefaultMetrics({ register: registry, prefix: 'medledger_' });
    const requests = new Counter({
      name: 'medledger_http_requests_total',
      help: 'HTTP requests',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
    const latency = new Histogram({
      name: 'medledger_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    const committed = new Counter({
      name: 'medledger_txs_committed_total',
      help: 'Transactions committed by this node',
      registers: [registry],
    });
    const window: { t: number; n: number }[] = [];
    ctx.node.chain.onCommit((txs) => {
      committed.inc(txs.length);
      const t = ctx.now();
      window.push({ t, n: txs.length });
      while (window.length > 0 && t - window[0]!.t > 60_000) window.shift();
    });
    new Gauge({
      name: 'medledger_tx_rate',
      help: 'Committed transactions per second over the last minute',
      registers: [registry],
      collect() {
        const t = ctx.now();
        this.set(window.filter((w) => t - w.t <= 60_000).reduce((a, w) => a + w.n, 0) / 60);
      },
    });
    new Gauge({
      name: 'medledger_block_height',
      help: 'Height of the head block',
      registers: [registry],
      collect() {
        this.set(ctx.node.chain.height);
      },
    });
    new Gauge({
      name: 'medledger_verified_height',
      help: 'Height verified by the last clean integrity run',
      registers: [registry],
      collect() {
        this.set(ctx.monitor.status.verifiedHeight);
      },
    });
    new Gauge({
      name: 'medledger_integrity_ok',
      help: '1 when the last integrity run found no problem, 0 otherwise',
      registers: [registry],
      collect() {
        this.set(ctx.monitor.status.state === 'compromised' ? 0 : 1);
      },
    });
    const caches = (): ReturnType<typeof ctx.node.cacheReport> => ctx.node.cacheReport();
    new Gauge({
      name: 'medledger_cache_capacity',
      help: 'Configured bound of each cache (unit: bytes or entries)',
      labelNames: ['cache', 'unit'],
      registers: [registry],
      collect() {
        for (const c of caches()) this.set({ cache: c.name, unit: c.unit }, c.capacity);
      },
    });
    new Gauge({
      name: 'medledger_cache_used',
      help: 'What each cache holds now, where it is known (unit: bytes or entries)',
      labelNames: ['cache', 'unit'],
      registers: [registry],
      collect() {
        for (const c of caches()) if (c.used !== undefined) this.set({ cache: c.name, unit: c.unit }, c.used);
      },
    });
    new Gauge({
      name: 'medledger_thread_heap_bytes',
      help: "Heap of the node's worker threads, summed per kind of thread (used: live objects; total: reserved)",
      labelNames: ['thread', 'kind'],
      registers: [registry],
      async collect() {
        for (const t of await threadHeaps()) {
          this.set({ thread: t.name, kind: 'used' }, t.used);
          this.set({ thread: t.name, kind: 'total' }, t.total);
        }
      },
    });
    new Gauge({
      name: 'medledger_pending_txs',
      help: 'Transactions waiting for a block',
      registers: [registry],
      collect() {
        this.set(ctx.node.chain.pendingCount);
      },
    });
    new Gauge({
      name: 'medledger_sessions',
      help: 'Open login sessions',
      registers: [registry],
      collect() {
        this.set(ctx.sessions.size);
      },
    });

    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      requests.inc({ method: req.method, route, status: String(reply.statusCode) });
      latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    });

    app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  };
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
}
