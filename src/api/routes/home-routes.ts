/**
 * @module
 * The node's landing page at `/`: what the node is, its health, and where to go (API docs, FHIR
 * metadata). The full portal (React) replaces it when built; this page has no data and no script.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../context.ts';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function homeRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
      const s = ctx.monitor.status;
      const banner =
        s.state === 'compromised'
          ? `<p class="alert">Integrity alert: ${String(s.problems.length)} problem(s) found — see <a href="/health">/health</a>.</p>`
          : '';
      const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>MedLedger node</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#1a1a2e}
.alert{background:#fde8e8;border:1px solid #c0392b;padding:.75rem;border-radius:6px;color:#8b1a1a}
code{background:#f2f2f7;padding:.1rem .3rem;border-radius:4px}</style></head><body>
<h1>MedLedger node</h1>${banner}
<p>Organization <code>${esc(ctx.node.org)}</code> · chain height <code>${String(ctx.node.chain.height)}</code> · integrity <code>${esc(s.state)}</code></p>
<ul>
<li><a href="/docs">API documentation</a> (OpenAPI: <a href="/openapi.json">/openapi.json</a>) — log in with <code>POST /api/v1/auth/login</code></li>
<li><a href="/fhir/R4/metadata">FHIR R4 CapabilityStatement</a></li>
<li><a href="/health">Health</a> · <a href="/metrics">Metrics</a></li>
</ul></body></html>`;
      return reply.type('text/html; charset=utf-8').send(html);
    });
  };
}
