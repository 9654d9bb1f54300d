/**
 * @module
 * Consortium membership over HTTP: the member nodes and the proposals to add or remove one. An admin
 * of an organization this node hosts proposes or approves on behalf of the node (the node key signs
 * `member.propose` / `member.approve`); the change takes effect once a quorum of member nodes signed
 * (see ledger/membership.ts). Nothing here is PHI: node keys, organization ids and addresses.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ArgumentValueError, NotFoundError, RoleForbiddenError } from '../../core/errors.ts';
import { quorumOf } from '../../core/vote.ts';
import type { MemberProposal } from '../../state-machine/membership.ts';
import { memberNodes } from '../../consortium/consortium-members.ts';
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
    const needed = (): number => quorumOf(node.ledger.directory.nodeKeys().size);
    /** An admin of an organization this node hosts acts for the node. */
    const nodeAdmin = (req: Parameters<typeof authOf>[0]): void => {
      const s = authOf(req, 'admin').session;
      if (s.org === undefined || !node.hostsOrg(s.org))
        throw new RoleForbiddenError('admin of an organization of another node', ['admin']);
      if (!node.consortium) throw new ArgumentValueError('ordering', 'this node is not a consortium member');
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
        const q = needed();
        return {
          members: memberNodes(node.consortium?.genesis.members ?? [], node.ledger.directory).map((m) => ({
            ...m,
            self: m.keyId === node.ledger.signer.keyId,
          })),
          quorum: q,
          proposals: [...node.ledger.directory.proposals()].map((p) => view(p, q)),
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
        const id = await node.submitAsNode('member.propose', req.body);
        await node.settle(id);
        const made = node.ledger.directory.proposal(id);
        if (!made) throw new NotFoundError('proposal', id);
        return reply.code(201).send(view(made, needed()));
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
        const existing = node.ledger.directory.proposal(req.params.id);
        if (!existing) throw new NotFoundError('proposal', req.params.id);
        const id = await node.submitAsNode('member.approve', { proposal: req.params.id });
        await node.settle(id);
        return view(existing, needed());
      },
    );
  };
}
