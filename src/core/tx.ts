/**
 * @module
 * Signed transactions. The body `{type, payload, signer, time, nonce}` is encoded as RFC 8785 canonical
 * JSON; the transaction id is the RFC 6962 leaf hash of the tagged body,
 * SHA-256(0x00 ‖ "medledger:tx:v1" ‖ 0x00 ‖ body), so the id is also the tx's leaf in every Merkle tree
 * (one hash per transaction instead of two). The signer signs the 32-byte id with Ed25519.
 */
import { hash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { toHex } from './bytes.ts';
import { canonicalize } from './canonical-json.ts';
import type { Json } from './canonical-json.ts';
import { MalformedTxError } from './errors.ts';
import { random } from './random.ts';
import { TAGS } from './hash.ts';
import { signBytes, verifyBytes } from './keys.ts';
import type { Signer } from './keys.ts';

/** Every transaction type the ledger knows (docs/DESIGN.md "Data on the chain"). */
export const TX_TYPES = [
  'chain.genesis',
  'identity.register',
  'identity.revoke',
  'org.join',
  'record.add',
  'record.amend',
  'record.erase',
  'erasure.request',
  'consent.grant',
  'consent.revoke',
  'access.log',
  'node.vote',
  'member.propose',
  'member.approve',
  'data.put',
] as const;
export type TxType = (typeof TX_TYPES)[number];
const TX_TYPE_SET: ReadonlySet<string> = new Set(TX_TYPES);

export interface TxBody {
  readonly type: TxType;
  readonly payload: Json;
  /** Key id of the signing key. */
  readonly signer: string;
  /** Milliseconds since the Unix epoch. */
  readonly time: number;
  /** 16 random bytes, hex: makes two otherwise equal transactions distinct. */
  readonly nonce: string;
}

/** A decoded, well-formed transaction. Its signature is not yet known to be valid. */
export interface Tx {
  readonly id: string;
  readonly idBytes: Uint8Array;
  readonly body: TxBody;
  /** The canonical JSON of `body`: exactly what the id commits to. */
  readonly bodyJson: string;
  readonly sig: Uint8Array;
}

/** The wire and storage form: canonical body text and hex signature. */
export interface WireTx {
  readonly body: string;
  readonly sig: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const SIG_HEX = /^[0-9a-f]{128}$/;
/** RFC 6962 leaf prefix 0x00, the tag, its 0x00 separator (all ASCII, so UTF-8 = these bytes). */
const ID_PREFIX = `\0${TAGS.tx}\0`;

/** The id of a canonical body: RFC 6962 leaf hash of the tagged body. */
export function txIdOf(bodyJson: string): Uint8Array {
  return hash('sha256', ID_PREFIX + bodyJson, 'buffer');
}

/** Builds and signs a transaction. `time` defaults to now, `nonce` to 16 random bytes. */
export function createTx(
  signer: Signer,
  type: TxType,
  payload: Json,
  opts: { time?: number; nonce?: string } = {},
): Tx {
  const body: TxBody = {
    type,
    payload,
    signer: signer.keyId,
    time: opts.time ?? Date.now(),
    nonce: opts.nonce ?? random(16).toString('hex'),
  };
  checkBody(body);
  const bodyJson = canonicalize(body);
  const idBytes = txIdOf(bodyJson);
  // Frozen: what isMadeHere vouches for cannot be given another body or signature afterwards.
  const tx = Object.freeze({
    id: toHex(idBytes),
    idBytes,
    body,
    bodyJson,
    sig: signBytes(signer.privateKey, idBytes),
  });
  madeHere.add(tx);
  if (opts.nonce === undefined) unseen.add(tx);
  return tx;
}

/** Transactions createTx built and signed in this thread (decoded or copied ones are not). */
const madeHere = new WeakSet<Tx>();
/** Those of them whose nonce createTx drew, not yet taken by {@link takeUnseen}. */
const unseen = new WeakSet<Tx>();

/**
 * Whether `tx` is an object createTx returned in this thread with a nonce it drew (16 random bytes), taken
 * here for the first time: no chain can hold its id (a collision of 128 random bits), so a ledger admitting
 * it need not search its store. True once per transaction: a second submission is searched as any other.
 */
export function takeUnseen(tx: unknown): boolean {
  return isMadeHere(tx) && unseen.delete(tx);
}

/** Whether `tx` is, unchanged, an object createTx returned in this thread: its signature holds by construction. */
export function isMadeHere(tx: unknown): tx is Tx {
  return typeof tx === 'object' && tx !== null && madeHere.has(tx as Tx);
}

/** Decodes a wire transaction; throws MalformedTxError unless the body is canonical and well formed. */
export function decodeTx(wire: unknown): Tx {
  if (typeof wire !== 'object' || wire === null) throw new MalformedTxError('transaction must be an object');
  const { body: bodyJson, sig } = wire as Record<string, unknown>;
  if (typeof bodyJson !== 'string') throw new MalformedTxError('body must be a string of canonical JSON');
  if (typeof sig !== 'string' || !SIG_HEX.test(sig)) {
    throw new MalformedTxError('sig must be 64 bytes of lowercase hex');
  }
  return fromCanonical(bodyJson, new Uint8Array(Buffer.from(sig, 'hex')));
}

/**
 * Decodes a transaction object again from its canonical text and signature bytes, with every check of
 * {@link decodeTx}: a Tx from elsewhere (e.g. a caller's object) is trusted for nothing, but needs no
 * round trip through hex.
 */
export function redecodeTx(tx: Tx): Tx {
  if (typeof tx !== 'object' || (tx as unknown) === null)
    throw new MalformedTxError('transaction must be an object');
  const { bodyJson, sig } = tx as { bodyJson: unknown; sig: unknown };
  if (typeof bodyJson !== 'string') throw new MalformedTxError('body must be a string of canonical JSON');
  if (!(sig instanceof Uint8Array) || sig.length !== 64) throw new MalformedTxError('sig must be 64 bytes');
  // A copy, so the caller cannot change the signature after admission.
  return fromCanonical(bodyJson, Uint8Array.from(sig));
}

function fromCanonical(bodyJson: string, sig: Uint8Array): Tx {
  let body: unknown;
  try {
    body = JSON.parse(bodyJson);
  } catch {
    throw new MalformedTxError('body is not JSON');
  }
  checkBody(body);
  let canonical: string;
  try {
    canonical = canonicalize(body);
  } catch (e) {
    throw new MalformedTxError(`body cannot be canonical JSON: ${(e as Error).message}`);
  }
  if (canonical !== bodyJson) throw new MalformedTxError('body is not RFC 8785 canonical JSON');
  const idBytes = txIdOf(bodyJson);
  return { id: toHex(idBytes), idBytes, body, bodyJson, sig };
}

export function encodeTx(tx: Tx): WireTx {
  return { body: tx.bodyJson, sig: toHex(tx.sig) };
}

export function verifyTxSignature(tx: Tx, publicKey: KeyObject): boolean {
  return verifyBytes(publicKey, tx.idBytes, tx.sig);
}

function checkBody(b: unknown): asserts b is TxBody {
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    throw new MalformedTxError('body must be an object');
  const o = b as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== 5)
    throw new MalformedTxError('body must have exactly type, payload, signer, time, nonce');
  if (typeof o.type !== 'string' || !TX_TYPE_SET.has(o.type)) {
    throw new MalformedTxError(`unknown transaction type ${JSON.stringify(o.type)}`, { type: o.type });
  }
  if (!('payload' in o) || o.payload === undefined) throw new MalformedTxError('payload is missing');
  if (typeof o.signer !== 'string' || !HEX64.test(o.signer))
    throw new MalformedTxError('signer must be a key id');
  if (typeof o.time !== 'number' || !Number.isSafeInteger(o.time) || o.time < 0) {
    throw new MalformedTxError('time must be integer milliseconds since the epoch');
  }
  if (typeof o.nonce !== 'string' || !HEX32.test(o.nonce))
    throw new MalformedTxError('nonce must be 16 bytes hex');
}
