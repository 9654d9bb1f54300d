/**
 * @module
 * Node-authenticated requests between consortium members (blob replication). The requesting node
 * signs SHA-256("medledger:node-request:v1" ‖ 0 ‖ method ‖ 0x0a ‖ path ‖ 0x0a ‖ time) with its node
 * key; the answering node accepts the request only from an active member node key, within a minute
 * of its own clock (a replayed request can only fetch again what it fetched: no state changes).
 */
import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { fromHex, toHex } from './bytes.ts';
import { signBytes, verifyBytes } from './keys.ts';
import type { Signer } from './keys.ts';

export const NODE_AUTH_WINDOW_MS = 60_000;
export const NODE_HEADERS = {
  node: 'x-medledger-node',
  time: 'x-medledger-time',
  signature: 'x-medledger-signature',
} as const;

function digest(method: string, path: string, time: number): Uint8Array {
  return createHash('sha256')
    .update('medledger:node-request:v1\0')
    .update(`${method.toUpperCase()}\n${path}\n${time}`)
    .digest();
}

/** Headers that authenticate `method path` as a request of the node `signer`. */
export function signNodeRequest(
  signer: Signer,
  method: string,
  path: string,
  time: number,
): Record<string, string> {
  return {
    [NODE_HEADERS.node]: signer.keyId,
    [NODE_HEADERS.time]: String(time),
    [NODE_HEADERS.signature]: toHex(signBytes(signer.privateKey, digest(method, path, time))),
  };
}

/**
 * The key id of the member node that signed this request, or undefined when it is not a valid
 * request of an active member node (`nodeKey` answers a key id's public key if it is one).
 */
export function verifyNodeRequest(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  method: string,
  path: string,
  now: number,
  nodeKey: (keyId: string) => KeyObject | undefined,
): string | undefined {
  const node = headers[NODE_HEADERS.node];
  const time = Number(headers[NODE_HEADERS.time]);
  const sig = headers[NODE_HEADERS.signature];
  if (typeof node !== 'string' || typeof sig !== 'string' || !Number.isSafeInteger(time)) return undefined;
  if (Math.abs(now - time) > NODE_AUTH_WINDOW_MS) return undefined;
  const key = nodeKey(node);
  if (!key) return undefined;
  try {
    return verifyBytes(key, digest(method, path, time), fromHex(sig, 64, 'signature')) ? node : undefined;
  } catch {
    return undefined;
  }
}
