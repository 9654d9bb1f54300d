/**
 * @module
 * The chain, readable by any signed-in user (it holds no PHI): head, blocks, transactions, inclusion
 * proofs (RFC 9162 §2.1.3) with the containing block and the signed head, and consistency proofs
 * between two log sizes (§2.1.4). A client needs only the core verifier and the node's public key.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ArgumentValueError } from '../../core/errors.ts';
import type { MedicalFacade } from '../../medical/facade.ts';
import { authOf } from '../context.ts';
import type { ApiContext } from '../context.ts';
import type { BlockJson, NodeInfo, ProofJson, TxJson } from '../contract/chain.ts';
import { errorResponses, idParams } from '../schemas.ts';

const header = { type: 'object', additionalProperties: true } as const;

/** A block header with its hash and the proposer's signature. */
const signedBlock = {
  height: { type: 'integer' },
  hash: { type: 'string' },
  header,
  signature: { type: 'string' },
} as const;

const blockSchema = {
  type: 'object',
  properties: {
    ...signedBlock,
    txs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          type: { type: 'string' },
          signer: { type: 'string' },
          time: { type: 'integer' },
        },
      },
    },
    certificate: {
      type: 'object',
      description: 'Finality certificate (consortium): the signed member votes that made the block final',
      additionalProperties: true,
    },
  },
} as const;

export const proofSchema = {
  type: 'object',
  properties: {
    txId: { type: 'string' },
    tx: { type: 'object', properties: { body: { type: 'string' }, sig: { type: 'string' } } },
    leafIndex: { type: 'integer' },
    treeSize: { type: 'integer' },
    proof: { type: 'array', items: { type: 'string' } },
    block: { type: 'object', properties: signedBlock },
    head: { type: 'object', properties: { header, hash: { type: 'string' }, signature: { type: 'string' } } },
    proposerPublicKey: { type: 'string' },
  },
} as const;

/** An inclusion proof of `txId` with its canonical body, its block and the signed head. */
export function proofView(node: Pick<MedicalFacade, 'chain'>, txId: string): ProofJson {
  return node.chain.proof(txId);
}

export function chainRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    const { node } = ctx;
    app.get(
      '/node',
      {
        schema: {
          tags: ['chain'],
          summary: 'This node: its public key (to verify proofs), chain id, organization',
          response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses },
        },
      },
      async (req): Promise<NodeInfo> => {
        authOf(req);
        return {
          keyId: node.chain.nodeKey.keyId,
          publicKey: Buffer.from(node.chain.nodeKey.publicKey).toString('hex'),
          chainId: node.chain.chainId,
          org: node.org,
          hostedOrgs: node.hostedOrgs(),
          minDifficulty: node.chain.minDifficulty,
          height: node.chain.height,
          logSize: node.chain.logSize,
        };
      },
    );

    app.get(
      '/consortium',
      {
        schema: {
          tags: ['chain'],
          summary:
            'Ordering: solo, or the consortium (proposer, members, quorum, final height, rejected blocks)',
          response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses },
        },
      },
      async (req) => {
        authOf(req);
        return node.membership.status();
      },
    );

    app.get(
      '/chain/head',
      {
        schema: {
          tags: ['chain'],
          summary: 'The head block',
          response: { 200: blockSchema, ...errorResponses },
        },
      },
      async (req): Promise<BlockJson> => {
        authOf(req);
        return node.chain.lastBlock();
      },
    );

    app.get<{ Params: { ref: string } }>(
      '/chain/blocks/:ref',
      {
        schema: {
          tags: ['chain'],
          summary: 'A block by height or by hash',
          params: {
            type: 'object',
            properties: { ref: { type: 'string', pattern: '^([0-9]{1,15}|[0-9a-f]{64})$' } },
            required: ['ref'],
          },
          response: { 200: blockSchema, ...errorResponses },
        },
      },
      async (req): Promise<BlockJson> => {
        authOf(req);
        const ref = req.params.ref;
        return node.chain.block(ref.length === 64 ? ref : Number(ref));
      },
    );

    app.get<{ Params: { id: string } }>(
      '/chain/txs/:id',
      {
        schema: {
          tags: ['chain'],
          summary: 'A transaction by id (its canonical body and signature; no PHI is ever on chain)',
          params: idParams,
          response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses },
        },
      },
      async (req): Promise<TxJson> => {
        authOf(req);
        const t = node.chain.tx(req.params.id);
        return {
          id: t.tx.id,
          body: t.tx.bodyJson,
          decoded: t.tx.body,
          sig: Buffer.from(t.tx.sig).toString('hex'),
          height: t.height,
          index: t.index,
          seq: t.seq,
        };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/chain/txs/:id/proof',
      {
        schema: {
          tags: ['chain'],
          summary: 'Inclusion proof of a transaction in the log of the current head',
          params: idParams,
          response: { 200: proofSchema, ...errorResponses },
        },
      },
      async (req) => {
        authOf(req);
        return proofView(node, req.params.id);
      },
    );

    app.get<{ Querystring: { from: number; to?: number } }>(
      '/chain/consistency',
      {
        schema: {
          tags: ['chain'],
          summary: 'Consistency proof between two log sizes (to defaults to the current size)',
          querystring: {
            type: 'object',
            properties: { from: { type: 'integer', minimum: 1 }, to: { type: 'integer', minimum: 1 } },
            required: ['from'],
            additionalProperties: false,
          },
          response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses },
        },
      },
      async (req) => {
        authOf(req);
        const to = req.query.to ?? node.chain.logSize;
        if (req.query.from > to) throw new ArgumentValueError('from', `must be ≤ to (${String(to)})`);
        const head = node.chain.lastBlock();
        return {
          from: req.query.from,
          to,
          proof: node.chain.consistencyProof(req.query.from, to),
          head: { header: head.header, hash: head.hash, signature: head.signature },
        };
      },
    );
  };
}
