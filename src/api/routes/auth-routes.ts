/**
 * @module
 * `/api/v1/auth`: log in (email and password → session token), log out, who am I, and personal API
 * tokens (create — shown once —, list, revoke). Login is rate-limited per address and per account
 * and fails with one generic message.
 */
import type { FastifyPluginAsync } from 'fastify';
import { AuthFailedError } from '../../core/errors.ts';
import type { AccountInfo } from '../../medical/facade.ts';
import type { Authenticator } from '../auth.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import type { CreatedToken, LoginResult, Role, TokenInfo, User } from '../contract/auth.ts';
import { errorResponses, errorSchema, idParams, userSchema } from '../schemas.ts';

const tokenInfo = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    created: { type: 'integer' },
    expires: { type: 'integer' },
    lastUsed: { type: 'integer' },
    revoked: { type: 'integer' },
  },
  required: ['id', 'name', 'created'],
} as const;

export function userView(a: AccountInfo, active = true): User {
  return {
    keyId: a.keyId,
    email: a.email,
    name: a.name,
    // An account has a user's role: MedicalFacade.createUser takes no other.
    role: a.role as Role,
    org: a.org,
    created: a.created,
    active,
  };
}

export function authRoutes(ctx: ApiContext, authn: Authenticator): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: { email: string; password: string } }>(
      '/login',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Log in with email and password; returns a session token',
          security: [],
          body: {
            type: 'object',
            properties: {
              email: { type: 'string', minLength: 3, maxLength: 320 },
              password: { type: 'string', minLength: 1, maxLength: 1024 },
            },
            required: ['email', 'password'],
            additionalProperties: false,
          },
          response: {
            200: {
              type: 'object',
              properties: {
                token: { type: 'string' },
                expiresAt: { type: 'integer' },
                idleTimeoutMs: { type: 'integer' },
                user: userSchema,
              },
              required: ['token', 'user'],
            },
            401: errorSchema,
            429: errorSchema,
          },
        },
      },
      async (req): Promise<LoginResult> => {
        const { email, password } = req.body;
        ctx.limiter.attempt(req.ip, email);
        let session;
        try {
          session = await ctx.node.loginAsync(email, password);
        } catch (e) {
          if (e instanceof AuthFailedError) ctx.limiter.failed(email);
          throw e;
        }
        ctx.limiter.succeeded(email);
        const { token, expiresAt } = ctx.sessions.create(session);
        req.log.info({ user: session.keyId, event: 'login' }, 'login');
        return { token, expiresAt, idleTimeoutMs: ctx.sessions.idleMs, user: userView(session) };
      },
    );

    app.post(
      '/logout',
      {
        schema: {
          tags: ['auth'],
          summary: 'End the current session',
          response: { 204: { type: 'null' }, ...errorResponses },
        },
      },
      async (req, reply) => {
        const a = authOf(req);
        if (a.via.kind === 'session') ctx.sessions.end(a.via.token);
        return reply.code(204).send();
      },
    );

    app.get(
      '/me',
      {
        schema: {
          tags: ['auth'],
          summary: 'The authenticated user',
          response: { 200: userSchema, ...errorResponses },
        },
      },
      async (req) => userView(authOf(req).session),
    );

    app.get(
      '/tokens',
      {
        schema: {
          tags: ['auth'],
          summary: 'List your API tokens (never the tokens themselves)',
          response: { 200: { type: 'array', items: tokenInfo }, ...errorResponses },
        },
      },
      async (req): Promise<TokenInfo[]> => authOf(req).scope.apiTokens(),
    );

    app.post<{ Body: { name: string; expiresInDays?: number } }>(
      '/tokens',
      {
        schema: {
          tags: ['auth'],
          summary:
            'Create a personal API token; the token is in this response only. It expires after `expiresInDays` (default 90, at most 365 unless the node is configured otherwise: `--token-days`, `--token-max-days`)',
          body: {
            type: 'object',
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 100 },
              expiresInDays: { type: 'integer', minimum: 1, maximum: 3650 },
            },
            required: ['name'],
            additionalProperties: false,
          },
          response: {
            201: {
              type: 'object',
              properties: { token: { type: 'string' }, info: tokenInfo },
              required: ['token', 'info'],
            },
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const a = authOf(req);
        const now = ctx.now();
        const expires =
          req.body.expiresInDays === undefined ? undefined : now + req.body.expiresInDays * 86_400_000;
        const created = a.scope.createApiToken(req.body.name, {
          now,
          ...(expires ? { expires } : {}),
        });
        req.log.info(
          { user: a.session.keyId, event: 'api-token.create', token: created.info.id },
          'api token created',
        );
        return reply.code(201).send(created satisfies CreatedToken);
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/tokens/:id',
      {
        schema: {
          tags: ['auth'],
          summary: 'Revoke one of your API tokens',
          params: idParams,
          response: { 200: tokenInfo, ...errorResponses },
        },
      },
      async (req): Promise<TokenInfo> => {
        const a = authOf(req);
        const info = a.scope.revokeApiToken(req.params.id, ctx.now());
        authn.forget(info.id);
        req.log.info(
          { user: a.session.keyId, event: 'api-token.revoke', token: info.id },
          'api token revoked',
        );
        return info;
      },
    );
  };
}
