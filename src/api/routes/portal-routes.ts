/**
 * @module
 * The web portal (web/, built by Vite into web/dist) served at `/`, public like any static page —
 * it holds no data; everything it shows comes from the API with the user's token. Hashed assets are
 * cached for a year, `index.html` never. When the portal is not built, `/` is the plain landing
 * page (home-routes.ts). Also the two small public-to-members routes the portal needs:
 * `GET /api/v1/demo` (demo identities for the "try as…" picker, on demo nodes only) and
 * `GET /api/v1/directory` (organizations and practitioners, so a patient can name a grantee).
 */
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../../core/errors.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import type { DemoInfo } from '../contract/auth.ts';
import type { Directory } from '../contract/users.ts';
import { errorResponses } from '../schemas.ts';
import { homeRoutes } from './home-routes.ts';

/** Where `npm run build:web` puts the portal. */
export const PORTAL_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

export function portalRoutes(ctx: ApiContext, dir = PORTAL_DIR): FastifyPluginAsync {
  return async (app) => {
    if (!existsSync(`${dir}index.html`)) {
      await app.register(homeRoutes(ctx));
      return;
    }
    app.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), public: true };
      route.schema = { ...route.schema, hide: true };
    });
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      cacheControl: false,
      setHeaders(reply, path) {
        void reply.header(
          'cache-control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  };
}

const identity = {
  type: 'object',
  properties: {
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    org: { type: 'string' },
  },
} as const;

export function directoryRoutes(ctx: ApiContext, demo: DemoInfo | undefined): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/demo',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Demo identities and their password (demo nodes only; 404 otherwise)',
          security: [],
          response: {
            200: {
              type: 'object',
              properties: { password: { type: 'string' }, identities: { type: 'array', items: identity } },
            },
            404: errorResponses[404],
          },
        },
      },
      async () => {
        if (!demo) throw new NotFoundError('demo', 'this node');
        return demo;
      },
    );
    app.get(
      '/directory',
      {
        schema: {
          tags: ['users'],
          summary:
            'Organizations and active practitioners (doctors), so a patient can choose whom to consent to',
          response: {
            200: {
              type: 'object',
              properties: {
                organizations: {
                  type: 'array',
                  items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
                },
                practitioners: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      keyId: { type: 'string' },
                      name: { type: 'string' },
                      org: { type: 'string' },
                    },
                  },
                },
              },
            },
            ...errorResponses,
          },
        },
      },
      async (req): Promise<Directory> => {
        authOf(req);
        const { node } = ctx;
        return {
          organizations: [...node.chain.directory.orgs()].map((o) => ({ id: o.org, name: o.name })),
          practitioners: [...node.chain.directory.withRole('doctor')]
            .filter((e) => e.revokedAt === undefined)
            .map((e) => ({
              keyId: e.keyId,
              name: node.account(e.keyId)?.name ?? `Doctor ${e.keyId.slice(0, 8)}`,
              org: e.org ?? '',
            })),
        };
      },
    );
  };
}
