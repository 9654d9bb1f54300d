/**
 * @module
 * Consortium membership over HTTP: the member nodes and the proposals to add or remove one. An admin
 * of an organization this node hosts proposes or approves on behalf of the node (the node key signs
 * `member.propose` / `member.approve`); the change takes effect once a quorum of member nodes signed
 * (see ledger/membership.ts). Nothing here is PHI: node keys, organization ids and addresses.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ArgumentValueError, RoleForbiddenError } from '../../core/errors.ts';
import type { MemberProposal } from '../../medical/facade.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import { errorResponses } from '../schemas.ts';

const HEX64 = '^[0-9a-f]{64}$';

const proposalSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    action: { type: 'string', enum: ['add', 'remove'] },
    keyId: { type: 'string' },
    org: { type: 'string' },
    name: { type: 'string' },
    url: { type: 'string' },
    proposer: { type: 'string' },
    proposedAt: { type: 'integer' },
    approvals: { type: 'array', items: { type: 'string' } },
    needed: { type: 'integer' },
    decidedAt: { type: 'integer' },
    status: { type: 'string', enum: ['open', 'decided'] },
  },
} as const;

function view(p: MemberProposal, needed: number): Record<string, unknown> {
  return {
    id: p.id,
    action: p.action,
    keyId: p.keyId,
    ...(p.org === undefined ? {} : { org: p.org, name: p.name, url: p.url }),
    proposer: p.proposer,
    proposedAt: p.proposedAt,
    approvals: [...p.approvals],
    needed,
    ...(p.decidedAt === undefined ? {} : { decidedAt: p.decidedAt }),
    status: p.decidedAt === undefined ? 'open' : 'decided',
  };
}

export function membershipRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    const { node } = ctx;
    /** An admin of an organization this node hosts acts for the node. */
    const nodeAdmin = (req: Parameters<typeof authOf>[0]): void => {
      const s = authOf(req, 'admin').session;
      if (s.org === undefined || !node.hostsOrg(s.org))
        throw new RoleForbiddenError('admin of an organization of another node', ['admin']);
      if (!node.membership.isMember)
        throw new ArgumentValueError('ordering', 'this node is not a consortium member');
    };

    app.get(
      '/consortium/members',
      {
        schema: {
          tags: ['consortium'],
          summary: 'Member nodes (key, organization, address, since) and membership proposals',
          response: {
            200: {
              type: 'object',
              properties: {
                members: { type: 'array', items: { type: 'object', additionalProperties: true } },
                quorum: { type: 'integer' },
                proposals: { type: 'array', items: proposalSchema },
              },
            },
            ...errorResponses,
          },
        },
      },
      async (req) => {
        authOf(req);
        const q = node.membership.quorum();
        return {
          members: node.membership.members(),
          quorum: q,
          proposals: [...node.membership.proposals()].map((p) => view(p, q)),
        };
      },
    );

    app.post<{
      Body:
        | { action: 'add'; publicKey: string; org: string; name: string; url: string }
        | { action: 'remove'; keyId: string };
    }>(
      '/consortium/proposals',
      {
        schema: {
          tags: ['consortium'],
          summary:
            'Propose to add a member node (a new hospital) or remove one, signed by this node (admin); takes effect at a quorum',
          body: {
            oneOf: [
              {
                type: 'object',
                properties: {
                  action: { const: 'add' },
                  publicKey: { type: 'string', pattern: HEX64 },
                  org: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
                  name: { type: 'string', minLength: 1, maxLength: 200 },
                  url: { type: 'string', minLength: 8, maxLength: 300 },
                },
                required: ['action', 'publicKey', 'org', 'name', 'url'],
                additionalProperties: false,
              },
              {
                type: 'object',
                properties: { action: { const: 'remove' }, keyId: { type: 'string', pattern: HEX64 } },
                required: ['action', 'keyId'],
                additionalProperties: false,
              },
            ],
          },
          response: { 201: proposalSchema, ...errorResponses },
        },
      },
      async (req, reply) => {
        nodeAdmin(req);
        const made = await node.membership.propose(req.body);
        return reply.code(201).send(view(made, node.membership.quorum()));
      },
    );

    app.post<{ Params: { id: string } }>(
      '/consortium/proposals/:id/approve',
      {
        schema: {
          tags: ['consortium'],
          summary: 'Approve a membership proposal, signed by this node (admin)',
          params: {
            type: 'object',
            properties: { id: { type: 'string', pattern: HEX64 } },
            required: ['id'],
          },
          response: { 200: proposalSchema, ...errorResponses },
        },
      },
      async (req) => {
        nodeAdmin(req);
        return view(await node.membership.approve(req.params.id), node.membership.quorum());
      },
    );
  };
}
