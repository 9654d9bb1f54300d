/**
 * @module
 * The conformance suite every `KeyTable` passes: what it holds after adds and revocations, the order
 * it lists keys in, a patient's keys, and a property test that a `KeyRegistry` over it agrees with
 * one over the in-memory reference (`MemoryKeyTable`) on any sequence of directory blocks, read again
 * through a new table where the implementation persists.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toHex } from '../core/bytes.ts';
import { publicKeyObject, signerFromSeed } from '../core/keys.ts';
import type { Signer } from '../core/keys.ts';
import { createTx } from '../core/tx.ts';
import type { Tx } from '../core/tx.ts';
import { KeyRegistry } from './key-registry.ts';
import { MemoryKeyTable } from './key-table.ts';
import type { KeyEntry, KeyTable } from './key-table.ts';
import type { Role } from './payloads.ts';

export interface KeyTableFactory {
  /** A new, empty table; `reopen` reads the same data through a new table (itself, in memory). */
  create(): { table: KeyTable; reopen: () => KeyTable; close: () => void };
}

const key = (n: number): Signer => signerFromSeed(new Uint8Array(32).fill(n));
const hex32 = (n: number): string => n.toString(16).padStart(2, '0').repeat(32);

function entry(n: number, role: Role, height: number, patient?: number): KeyEntry {
  const k = key(n);
  return {
    keyId: k.keyId,
    publicKey: publicKeyObject(k.publicKey),
    publicKeyHex: toHex(k.publicKey),
    role,
    ...(role === 'node' ? {} : { org: 'st-marys', encryptionKey: hex32(n) }),
    ...(patient === undefined ? {} : { patient: hex32(patient) }),
    registeredAt: height,
  };
}

/** An entry without its KeyObject (which compares by identity), to compare with deepEqual. */
const plain = (e: KeyEntry | undefined): Omit<KeyEntry, 'publicKey'> | undefined => {
  if (!e) return undefined;
  const { publicKey: _, ...rest } = e;
  return rest;
};

let t = 0;
function tx(signer: Signer, type: Tx['body']['type'], payload: Parameters<typeof createTx>[2]): Tx {
  t++;
  return createTx(signer, type, payload, {
    time: 1_700_000_000_000 + t,
    nonce: t.toString(16).padStart(32, '0'),
  });
}

export function keyTableConformance(name: string, factory: KeyTableFactory): void {
  void describe(`KeyTable conformance: ${name}`, () => {
    it('holds what was added and revoked, and lists keys in the order they were registered', () => {
      const { table, reopen, close } = factory.create();
      try {
        const a = entry(1, 'node', 0);
        const b = entry(2, 'doctor', 1);
        const c = entry(3, 'patient', 2, 9);
        const d = entry(4, 'patient', 3, 9);
        for (const e of [a, b, c, d]) table.add(e);
        assert.equal(table.get(b.keyId)?.revokedAt, undefined); // read (and cached) before it is revoked
        table.revoke(b.keyId, 5);
        table.revoke(b.keyId, 7); // a revoked key keeps its first revocation
        for (const tb of [table, reopen()]) {
          assert.equal(tb.size, 4);
          assert.deepEqual(plain(tb.get(a.keyId)), plain(a));
          assert.equal(tb.get(b.keyId)?.revokedAt, 5);
          assert.equal(tb.get(c.keyId)?.revokedAt, undefined);
          assert.equal(tb.get(key(5).keyId), undefined);
          assert.equal(tb.get(a.keyId)?.publicKey.asymmetricKeyType, 'ed25519');
          assert.deepEqual(
            [...tb.entries()].map((e) => e.keyId),
            [a, b, c, d].map((e) => e.keyId),
          );
          assert.deepEqual(
            [...tb.withRole('patient')].map((e) => e.keyId),
            [c.keyId, d.keyId],
          );
          assert.deepEqual(tb.ofPatient(hex32(9)), [c.keyId, d.keyId]);
          assert.deepEqual(tb.ofPatient(hex32(8)), []);
        }
      } finally {
        close();
      }
    });

    it('lists many keys past its page size, in order', () => {
      const { table, close } = factory.create();
      try {
        const ids: string[] = [];
        for (let i = 1; i <= 25; i++) {
          const e = entry(i, i % 5 === 0 ? 'doctor' : 'patient', i, i);
          table.add(e);
          ids.push(e.keyId);
        }
        assert.deepEqual(
          [...table.entries()].map((e) => e.keyId),
          ids,
        );
        assert.equal([...table.withRole('doctor')].length, 5);
      } finally {
        close();
      }
    });

    it('gives a KeyRegistry the same directory as the in-memory reference, on any sequence', () => {
      const node = key(200);
      const genesis = [
        tx(node, 'chain.genesis', { chainId: 'c', minDifficulty: 0 }),
        tx(node, 'identity.register', { publicKey: toHex(node.publicKey), role: 'node' }),
      ];
      const op = fc.oneof(
        fc.record({
          kind: fc.constant('register' as const),
          n: fc.integer({ min: 1, max: 30 }),
          role: fc.constantFrom<Role>('doctor', 'patient', 'admin'),
          patient: fc.integer({ min: 1, max: 4 }),
        }),
        fc.record({ kind: fc.constant('revoke' as const), n: fc.integer({ min: 1, max: 30 }) }),
        fc.record({ kind: fc.constant('org' as const), n: fc.integer({ min: 1, max: 3 }) }),
      );
      fc.assert(
        fc.property(fc.array(fc.array(op, { maxLength: 6 }), { maxLength: 8 }), (blocks) => {
          const { table, reopen, close } = factory.create();
          try {
            const ref = new KeyRegistry();
            const impl = new KeyRegistry(table);
            ref.apply(genesis, 0);
            impl.apply(genesis, 0);
            blocks.forEach((ops, i) => {
              const txs = ops.map((o) =>
                o.kind === 'register'
                  ? tx(node, 'identity.register', {
                      publicKey: toHex(key(o.n).publicKey),
                      role: o.role,
                      org: 'st-marys',
                      encryptionKey: hex32(o.n),
                      ...(o.role === 'patient' ? { patient: hex32(o.patient) } : {}),
                    })
                  : o.kind === 'revoke'
                    ? tx(node, 'identity.revoke', { keyId: key(o.n).keyId })
                    : tx(node, 'org.join', {
                        org: `org-${String(o.n)}`,
                        name: 'Org',
                        encryptionKey: hex32(o.n),
                      }),
              );
              ref.apply(txs, i + 1);
              impl.apply(txs, i + 1);
            });
            const same = (r: KeyRegistry): void => {
              assert.deepEqual([...r.entries()].map(plain), [...ref.entries()].map(plain));
              assert.deepEqual(r.snapshot(), ref.snapshot());
              assert.equal(r.size, ref.size);
              for (let p = 1; p <= 4; p++)
                assert.deepEqual(r.patientKeys(hex32(p)).map(plain), ref.patientKeys(hex32(p)).map(plain));
              for (let n = 1; n <= 30; n++)
                assert.deepEqual(plain(r.active(key(n).keyId)), plain(ref.active(key(n).keyId)));
              assert.deepEqual(r.nodeKeys(), ref.nodeKeys());
            };
            same(impl);
            same(new KeyRegistry(reopen(), impl.snapshot()));
          } finally {
            close();
          }
        }),
        { numRuns: 40 },
      );
    });
  });
}

/** The reference: a table in memory. */
export const memoryKeyTables: KeyTableFactory = {
  create() {
    const table = new MemoryKeyTable();
    return { table, reopen: () => table, close: () => undefined };
  },
};
