/**
 * @module
 * Replication between consortium members, answered only to member nodes (node-authenticated
 * requests, see core/node-auth.ts; anyone else gets the generic 401): a record's ciphertext by its
 * record id and hash, the record keys wrapped for the organizations the requesting node hosts — never another
 * organization's or a patient's wraps — and stored blocks with their finality certificates, for a
 * member catching up on blocks etcd no longer holds (see chain/peer-catch-up.ts).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { AuthFailedError, NotFoundError } from '../../core/errors.ts';
import { MAX_REPLICA_BLOCKS } from '../../medical/facade.ts';
import type { ApiContext } from '../context.ts';
import { errorResponses } from '../schemas.ts';

export function replicaRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    const { node } = ctx;
    const requester = (req: FastifyRequest): string => {
      const keyId = node.replicas.peerOf(req.headers, req.method, req.url, Date.now());
      if (!keyId) throw new AuthFailedError();
      return keyId;
    };

    app.get<{ Querystring: { from: number; limit?: number } }>(
      '/replica/blocks',
      {
        config: { public: true },
        schema: {
          tags: ['consortium'],
          summary:
            'Stored blocks from a height on, with certificates (member nodes only, node-signed request)',
          security: [],
          querystring: {
            type: 'object',
            properties: {
              from: { type: 'integer', minimum: 0 },
              limit: { type: 'integer', minimum: 1, maximum: MAX_REPLICA_BLOCKS },
            },
            required: ['from'],
            additionalProperties: false,
          },
          response: errorResponses,
        },
      },
      async (req) => {
        requester(req);
        return {
          blocks: node.replicas.blocks(req.query.from, req.query.limit ?? MAX_REPLICA_BLOCKS),
        };
      },
    );

    app.get<{ Params: { hash: string }; Querystring: { record: string } }>(
      '/replica/blobs/:hash',
      {
        config: { public: true },
        schema: {
          tags: ['consortium'],
          summary: "A record's ciphertext by its SHA-256 (member nodes only, node-signed request)",
          security: [],
          params: {
            type: 'object',
            properties: { hash: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
            required: ['hash'],
          },
          querystring: {
            type: 'object',
            properties: { record: { type: 'string', minLength: 1, maxLength: 128 } },
            required: ['record'],
            additionalProperties: false,
          },
          response: errorResponses,
        },
      },
      async (req, reply) => {
        requester(req);
        const data = node.replicas.blob(req.query.record, req.params.hash);
        if (!data) throw new NotFoundError('blob', req.params.hash);
        return reply.type('application/octet-stream').send(Buffer.from(data));
      },
    );

    app.get<{ Params: { record: string } }>(
      '/replica/keys/:record',
      {
        config: { public: true },
        schema: {
          tags: ['consortium'],
          summary: "A record's keys wrapped for the requesting node's organizations (member nodes only)",
          security: [],
          params: {
            type: 'object',
            properties: { record: { type: 'string', minLength: 1, maxLength: 128 } },
            required: ['record'],
          },
          response: {
            200: {
              type: 'object',
              properties: {
                keys: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      recipient: { type: 'string' },
                      enc: { type: 'string' },
                      ct: { type: 'string' },
                    },
                  },
                },
              },
            },
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const keyId = requester(req);
        const keys = node.replicas
          .keysFor(req.params.record, keyId)
          .map(([recipient, w]) => ({ recipient, enc: w.enc, ct: w.ct }));
        return { keys };
      },
    );
  };
}
