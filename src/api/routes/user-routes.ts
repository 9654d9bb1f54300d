/**
 * @module
 * Users and organizations (admin): enroll a user (keys created and sealed with their password,
 * registration signed by the admin), list, revoke (every session of the user ends at once); list
 * and create organizations hosted by this node.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ArgumentValueError, NotFoundError } from '../../core/errors.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import type { TxRef } from '../contract/consent.ts';
import type { NewUserBody, Organization } from '../contract/users.ts';
import type { PendingLogin } from '../contract/auth.ts';
import { cursorPageQuery, errorResponses, errorSchema, txRef, userSchema } from '../schemas.ts';
import { userView } from './auth-routes.ts';

/** Largest page of users (and the default). */
const keyIdParams = {
  type: 'object',
  properties: { keyId: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
  required: ['keyId'],
} as const;

const MAX_USERS = 1000;

export function userRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    const { node } = ctx;
    app.get<{ Querystring: { after?: string; limit?: number } }>(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: 'Users of this node (admin)',
          description:
            'In the order they were enrolled. A full page carries a `Link` header with `rel="next"`: the same request with `after` set to the cursor of its last user.',
          querystring: cursorPageQuery(
            MAX_USERS,
            'the cursor of the last user of the previous page (from the `Link` header)',
          ),
          response: { 200: { type: 'array', items: userSchema }, ...errorResponses },
        },
      },
      async (req, reply) => {
        const admin = authOf(req, 'admin').session;
        const { after, limit = ctx.pageSize } = req.query;
        const page = node.accountsPage(admin.org, after, limit);
        if (page.length === limit) {
          const next = new URLSearchParams({ after: page.at(-1)!.cursor, limit: String(limit) });
          void reply.header('link', `</api/v1/users?${next.toString()}>; rel="next"`);
        }
        const pending = new Set(node.pendingBindings(admin.org).map((b) => b.keyId));
        return page.map((a) => ({
          ...userView(a, node.chain.directory.active(a.keyId) !== undefined),
          ...(pending.has(a.keyId) ? { pendingApproval: true } : {}),
        }));
      },
    );

    app.post<{ Body: NewUserBody }>(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary:
            "Enroll a user in your organization (admin); a patient's login waits (202) until a second admin approves it",
          body: {
            type: 'object',
            properties: {
              email: { type: 'string', minLength: 3, maxLength: 320 },
              name: { type: 'string', minLength: 1, maxLength: 200 },
              password: { type: 'string', minLength: 10, maxLength: 1024 },
              role: { type: 'string', enum: ['admin', 'doctor', 'patient', 'researcher', 'auditor'] },
              patientId: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9.-]+$' },
            },
            required: ['email', 'name', 'password', 'role'],
            additionalProperties: false,
          },
          response: { 201: userSchema, 202: userSchema, 409: errorSchema, ...errorResponses },
        },
      },
      async (req, reply) => {
        const admin = authOf(req, 'admin').session;
        const b = req.body;
        const info = await node.createUser(
          {
            email: b.email,
            name: b.name,
            password: b.password,
            role: b.role,
            ...(b.patientId ? { patientId: b.patientId } : {}),
          },
          admin,
        );
        req.log.info(
          { user: admin.keyId, event: 'user.create', target: info.keyId, role: info.role },
          'user enrolled',
        );
        if (info.pending) return reply.code(202).send({ ...userView(info, false), pendingApproval: true });
        return reply.code(201).send(userView(info));
      },
    );

    app.get(
      '/users/pending',
      {
        schema: {
          tags: ['users'],
          summary: 'Patient logins of your organization waiting for a second admin (admin)',
          response: {
            200: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  keyId: { type: 'string' },
                  requestedBy: {
                    type: 'object',
                    properties: { keyId: { type: 'string' }, name: { type: 'string' } },
                  },
                  created: { type: 'integer' },
                },
              },
            },
            ...errorResponses,
          },
        },
      },
      async (req): Promise<PendingLogin[]> => {
        const admin = authOf(req, 'admin').session;
        return node.pendingBindings(admin.org).map((b) => {
          const name = node.account(b.requestedBy)?.name;
          return {
            keyId: b.keyId,
            requestedBy: { keyId: b.requestedBy, ...(name ? { name } : {}) },
            created: b.created,
          };
        });
      },
    );

    app.post<{ Params: { keyId: string } }>(
      '/users/:keyId/approve',
      {
        schema: {
          tags: ['users'],
          summary:
            "Approve a patient login another admin asked for (admin): the binding goes on chain naming both admins and shows in the patient's access log",
          params: keyIdParams,
          response: { 201: txRef, ...errorResponses },
        },
      },
      async (req, reply) => {
        const admin = authOf(req, 'admin').session;
        const tx = await node.approveBinding(req.params.keyId, admin);
        req.log.info(
          { user: admin.keyId, event: 'user.approve', target: req.params.keyId },
          'login approved',
        );
        return reply.code(201).send({ tx, height: node.chain.height } satisfies TxRef);
      },
    );

    app.post<{ Params: { keyId: string } }>(
      '/users/:keyId/decline',
      {
        schema: {
          tags: ['users'],
          summary: 'Decline a patient login waiting for approval (admin): the account is deleted',
          params: keyIdParams,
          response: { 204: { type: 'null' }, ...errorResponses },
        },
      },
      async (req, reply) => {
        const admin = authOf(req, 'admin').session;
        node.declineBinding(req.params.keyId, admin);
        req.log.info(
          { user: admin.keyId, event: 'user.decline', target: req.params.keyId },
          'login declined',
        );
        return reply.code(204).send();
      },
    );

    app.delete<{ Params: { keyId: string } }>(
      '/users/:keyId',
      {
        schema: {
          tags: ['users'],
          summary:
            'Revoke a user (admin): an identity.revoke on chain; their sessions and tokens stop working',
          params: {
            type: 'object',
            properties: { keyId: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
            required: ['keyId'],
          },
          response: { 200: txRef, ...errorResponses },
        },
      },
      async (req): Promise<TxRef> => {
        const admin = authOf(req, 'admin').session;
        // An admin revoking themself could leave the organization with no one to enroll users.
        if (req.params.keyId === admin.keyId)
          throw new ArgumentValueError('keyId', 'an admin cannot revoke their own identity');
        // Users of other organizations and node keys are not this admin's to see (as in GET /users).
        const target = node.chain.directory.active(req.params.keyId);
        if (!target || target.role === 'node' || target.org !== admin.org)
          throw new NotFoundError('active user', req.params.keyId);
        const tx = await node.revokeUser(req.params.keyId, admin);
        ctx.sessions.endAll(req.params.keyId);
        req.log.info({ user: admin.keyId, event: 'user.revoke', target: req.params.keyId }, 'user revoked');
        return { tx, height: node.chain.height };
      },
    );

    app.get(
      '/organizations',
      {
        schema: {
          tags: ['users'],
          summary: 'Organizations on the chain',
          response: {
            200: { type: 'array', items: { type: 'object', additionalProperties: true } },
            ...errorResponses,
          },
        },
      },
      async (req): Promise<Organization[]> => {
        authOf(req);
        return [...node.chain.directory.orgs()].map((o) => ({
          id: o.org,
          name: o.name,
          hostedHere: node.hostsOrg(o.org),
        }));
      },
    );

    app.post<{ Body: { id: string; name: string } }>(
      '/organizations',
      {
        schema: {
          tags: ['users'],
          summary: 'Create an organization hosted by this node (admin)',
          body: {
            type: 'object',
            properties: {
              id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' },
              name: { type: 'string', minLength: 1, maxLength: 200 },
            },
            required: ['id', 'name'],
            additionalProperties: false,
          },
          response: {
            201: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
            409: errorSchema,
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        authOf(req, 'admin');
        if (node.chain.hasOrg(req.body.id))
          throw new ArgumentValueError('id', `organization ${req.body.id} exists`);
        await node.createOrganization(req.body.id, req.body.name);
        return reply.code(201).send(req.body);
      },
    );
  };
}
