/**
 * @module
 * The consortium's genesis file and the setup of its member data directories. The genesis file is
 * public: the chain id, the etcd endpoints, the member organizations with their node keys and HTTP
 * addresses, and the genesis block itself (chain parameters plus one self-signed `identity.register`
 * per member node key), so every member starts from the very same block 0 and validates it like any
 * other. Each member's data directory also gets a private `consortium.json` (mode 0600) with its own
 * organization and the consortium index key, the secret every member shares to compute the same
 * patient blind ids.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signBlockHash, ZERO_HASH } from '../core/block.ts';
import type { WireBlock } from '../core/block.ts';
import { fromHex, toHex } from '../core/bytes.ts';
import { ArgumentValueError } from '../core/errors.ts';
import { CompactRange } from '../core/merkle/compact-range.ts';
import { merkleRoot } from '../core/merkle/root.ts';
import { createTx, encodeTx } from '../core/tx.ts';
import type { Signer } from '../core/keys.ts';
import { createNodeKey, dataPaths, writeFileDurable } from '../chain/data-dir.ts';
import { syncMiner } from '../chain/miner.ts';
import { parseMemberPropose } from '../state-machine/payloads.ts';

export interface GenesisMember {
  readonly org: string;
  readonly name: string;
  readonly keyId: string;
  readonly publicKey: string;
  /** Where the member's node answers HTTP (blob replication, catch-up). */
  readonly url: string;
}

export interface GenesisFile {
  readonly chainId: string;
  readonly endpoints: readonly string[];
  readonly members: readonly GenesisMember[];
  readonly block: WireBlock;
}

/** A member's private settings (consortium.json in its data directory). */
export interface MemberSecrets {
  readonly org: string;
  readonly name: string;
  /** The consortium index key (hex), shared by every member. */
  readonly indexKey: string;
}

export const GENESIS_FILE = 'genesis.json';
export const SECRETS_FILE = 'consortium.json';

/** Builds block 0 for `members` (their node signers), mined and signed by the first member. */
export async function buildGenesis(opts: {
  chainId: string;
  endpoints: readonly string[];
  members: readonly { org: string; name: string; url: string; signer: Signer }[];
  difficulty?: number;
  time?: number;
}): Promise<GenesisFile> {
  const time = opts.time ?? Date.now();
  const first = opts.members[0];
  if (!first) throw new ArgumentValueError('members', 'a consortium needs at least one member');
  const txs = [
    createTx(
      first.signer,
      'chain.genesis',
      { chainId: opts.chainId, minDifficulty: opts.difficulty ?? 0 },
      { time },
    ),
    ...opts.members.map((m) =>
      createTx(
        m.signer,
        'identity.register',
        { publicKey: toHex(m.signer.publicKey), role: 'node' },
        { time },
      ),
    ),
  ];
  const ids = txs.map((t) => t.idBytes);
  const range = new CompactRange();
  for (const id of ids) range.append(id);
  const mined = await syncMiner({
    height: 0,
    prevHash: ZERO_HASH,
    merkleRoot: toHex(merkleRoot(ids)),
    logSize: range.size,
    logRoot: toHex(range.root()),
    time,
    difficulty: opts.difficulty ?? 0,
    proposer: first.signer.keyId,
    txCount: txs.length,
  });
  return {
    chainId: opts.chainId,
    endpoints: [...opts.endpoints],
    members: opts.members.map((m) => ({
      org: m.org,
      name: m.name,
      keyId: m.signer.keyId,
      publicKey: toHex(m.signer.publicKey),
      url: m.url,
    })),
    block: {
      header: mined.header,
      hash: mined.hash,
      signature: toHex(signBlockHash(first.signer, mined.hash)),
      txs: txs.map(encodeTx),
    },
  };
}

/**
 * Creates one data directory per member under `dir` (node-1, node-2, …): a node key, the genesis
 * file and the member's private consortium.json. Refuses to overwrite an existing consortium.
 */
export async function initConsortium(opts: {
  dir: string;
  chainId: string;
  endpoints: readonly string[];
  members: readonly { org: string; name: string; url: string }[];
  difficulty?: number;
}): Promise<{ genesis: GenesisFile; dirs: string[] }> {
  const dirs = opts.members.map((_, i) => join(opts.dir, `node-${i + 1}`));
  for (const d of dirs)
    if (existsSync(join(d, GENESIS_FILE)))
      throw new ArgumentValueError('dir', `${d} already belongs to a consortium`);
  const signers = dirs.map((d) => createNodeKey(dataPaths(d)));
  const genesis = await buildGenesis({
    chainId: opts.chainId,
    endpoints: opts.endpoints,
    members: opts.members.map((m, i) => ({ ...m, signer: signers[i]! })),
    ...(opts.difficulty === undefined ? {} : { difficulty: opts.difficulty }),
  });
  const indexKey = toHex(randomBytes(32));
  for (const [i, d] of dirs.entries()) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
    writeFileDurable(join(d, GENESIS_FILE), `${JSON.stringify(genesis, null, 2)}\n`, 0o644);
    const m = opts.members[i]!;
    const secrets: MemberSecrets = { org: m.org, name: m.name, indexKey };
    writeFileDurable(join(d, SECRETS_FILE), `${JSON.stringify(secrets, null, 2)}\n`, 0o600);
  }
  return { genesis, dirs };
}

/** Whether `dir` is a consortium member's data directory. */
export function isMemberDir(dir: string): boolean {
  return existsSync(join(dir, GENESIS_FILE));
}

/** Reads a member directory's genesis file and secrets, with a clear error for a malformed file. */
export function readMember(dir: string): {
  genesis: GenesisFile;
  secrets: MemberSecrets;
  indexKey: Uint8Array;
} {
  const genesis = JSON.parse(readFileSync(join(dir, GENESIS_FILE), 'utf8')) as GenesisFile;
  if (
    typeof genesis.chainId !== 'string' ||
    !Array.isArray(genesis.endpoints) ||
    !Array.isArray(genesis.members) ||
    typeof genesis.block !== 'object'
  )
    throw new ArgumentValueError(GENESIS_FILE, 'needs chainId, endpoints, members and block');
  const secrets = JSON.parse(readFileSync(join(dir, SECRETS_FILE), 'utf8')) as MemberSecrets;
  if (typeof secrets.org !== 'string' || typeof secrets.indexKey !== 'string')
    throw new ArgumentValueError(SECRETS_FILE, 'needs org and indexKey');
  return { genesis, secrets, indexKey: fromHex(secrets.indexKey, 32, 'indexKey') };
}

/** What an existing member hands a new one (over a secure channel): the genesis and the index key. */
export interface Invitation {
  readonly genesis: GenesisFile;
  readonly indexKey: string;
}

/** The invitation a member directory can hand out. */
export function invitationOf(memberDir: string): Invitation {
  const { genesis, secrets } = readMember(memberDir);
  return { genesis, indexKey: secrets.indexKey };
}

/**
 * Prepares a new member's data directory from an invitation: its own node key (created here, never
 * leaving it), the genesis file and its private settings. Returns the `member.propose` payload the
 * existing members vote on; the node waits for their quorum when it starts.
 */
export function prepareJoin(opts: {
  invitation: Invitation;
  dir: string;
  org: string;
  name: string;
  url: string;
}): { action: 'add'; publicKey: string; org: string; name: string; url: string } {
  const { invitation: inv, dir } = opts;
  if (
    typeof inv.indexKey !== 'string' ||
    typeof inv.genesis !== 'object' ||
    !Array.isArray(inv.genesis.members)
  )
    throw new ArgumentValueError('invitation', 'needs genesis and indexKey');
  fromHex(inv.indexKey, 32, 'indexKey');
  if (existsSync(join(dir, GENESIS_FILE)))
    throw new ArgumentValueError('dir', `${dir} already belongs to a consortium`);
  const why = parseMemberPropose({
    action: 'add',
    publicKey: '00'.repeat(32),
    org: opts.org,
    name: opts.name,
    url: opts.url,
  });
  if (typeof why === 'string') throw new ArgumentValueError('member', why);
  if ((inv.genesis.members as readonly GenesisMember[]).some((m) => m.org === opts.org))
    throw new ArgumentValueError('org', `${opts.org} is already a member organization`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const signer = createNodeKey(dataPaths(dir));
  writeFileDurable(join(dir, GENESIS_FILE), `${JSON.stringify(inv.genesis, null, 2)}\n`, 0o644);
  const secrets: MemberSecrets = { org: opts.org, name: opts.name, indexKey: inv.indexKey };
  writeFileDurable(join(dir, SECRETS_FILE), `${JSON.stringify(secrets, null, 2)}\n`, 0o600);
  return { action: 'add', publicKey: toHex(signer.publicKey), org: opts.org, name: opts.name, url: opts.url };
}
