/**
 * @module
 * The Vault conformance suite (vault.ts): every implementation runs it (sqlite-vault.test.ts,
 * memory-vault.test.ts). Ciphertexts by record and hash and those stored by hash alone, wrapped keys,
 * all-or-nothing puts and the puts of one turn, erasure, remembered unwrapped keys, organization keys,
 * settings, a closed vault, and what survives a reopen where the implementation persists.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256Hex } from './vault.ts';
import type { Vault, WrappedKeyRow } from './vault.ts';

export interface VaultFactory {
  /**
   * A new, empty vault. `records`: records whose unwrapped keys it remembers at most; `legacy`:
   * ciphertexts stored by hash alone, as a vault written before ciphertexts were kept by record holds.
   */
  create(opts?: { records?: number; legacy?: readonly Uint8Array[] }): Vault;
  /** Closes `vault` and opens the same data again, or undefined when the vault does not persist. */
  reopen?: (vault: Vault) => Vault;
}

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const wrap = (record: string, recipient: WrappedKeyRow['recipient'], n = 1): WrappedKeyRow => ({
  record,
  recipient,
  enc: n.toString(16).padStart(2, '0').repeat(32),
  ct: (n + 0x10).toString(16).padStart(2, '0').repeat(48),
});
/** A stored ciphertext as a plain Uint8Array (a Buffer compares unequal to one). */
const plain = (b: Uint8Array | undefined): Uint8Array | undefined => b && new Uint8Array(b);

export function vaultConformance(name: string, factory: VaultFactory): void {
  describe(`Vault conformance: ${name}`, () => {
    it('finds a ciphertext by its record and its SHA-256, and no other', () => {
      const v = factory.create();
      const a = bytes(1, 2, 3);
      const b = bytes(4, 5);
      const hashes = v.put({
        blobs: [
          { record: 'r1', data: a },
          { record: 'r2', data: b },
        ],
      });
      assert.deepEqual(hashes, [sha256Hex(a), sha256Hex(b)]);
      assert.deepEqual(plain(v.blob('r1', sha256Hex(a))), a);
      assert.equal(v.hasBlob('r1', sha256Hex(a)), true);
      // Another record's hash, or this hash under another record, is not this record's ciphertext.
      assert.equal(v.blob('r1', sha256Hex(b)), undefined);
      assert.equal(v.hasBlob('r1', sha256Hex(b)), false);
      assert.equal(v.blob('r3', sha256Hex(a)), undefined);
      assert.equal(v.hasBlob('r3', sha256Hex(a)), false);
      // By record alone: its own ciphertext, nothing for a record with none.
      assert.deepEqual(plain(v.recordBlob('r2')), b);
      assert.equal(v.recordBlob('r3'), undefined);
      v.close();
    });

    it('keeps its own copy of a ciphertext, and replaces a record’s ciphertext put again', () => {
      const v = factory.create();
      const first = bytes(1, 1);
      const h1 = sha256Hex(first);
      v.put({ blobs: [{ record: 'r1', data: first }] });
      first[0] = 9;
      assert.deepEqual(plain(v.blob('r1', h1)), bytes(1, 1));
      const [h2] = v.put({ blobs: [{ record: 'r1', data: bytes(2, 2) }] });
      assert.deepEqual(plain(v.blob('r1', h2!)), bytes(2, 2));
      assert.equal(v.hasBlob('r1', h1), false);
      v.close();
    });

    it('finds a ciphertext stored by hash alone under any record, and erases it', () => {
      const old = bytes(7, 7, 7);
      const v = factory.create({ legacy: [old] });
      assert.deepEqual(plain(v.blob('r0', sha256Hex(old))), old);
      assert.equal(v.hasBlob('r9', sha256Hex(old)), true);
      assert.equal(v.hasBlob('r0', sha256Hex(bytes(8))), false);
      // Beside a record's own ciphertext.
      const [h] = v.put({ blobs: [{ record: 'r1', data: bytes(1) }] });
      assert.deepEqual(plain(v.blob('r1', h!)), bytes(1));
      assert.equal(
        v.erase([
          { record: 'r0', blob: sha256Hex(old) },
          { record: 'r1', blob: h! },
        ]),
        2,
      );
      assert.equal(v.hasBlob('r0', sha256Hex(old)), false);
      assert.equal(v.blob('r9', sha256Hex(old)), undefined);
      v.close();
    });

    it('lists a record’s wrapped keys by recipient, a new wrap of a recipient replacing the old', () => {
      const v = factory.create();
      assert.equal(v.keysOf('r1').size, 0);
      v.put({ keys: [wrap('r1', 'org:a', 1), wrap('r1', 'key:bb', 2), wrap('r2', 'org:a', 3)] });
      assert.deepEqual(
        v.keysOf('r1'),
        new Map([
          ['key:bb', { enc: wrap('r1', 'key:bb', 2).enc, ct: wrap('r1', 'key:bb', 2).ct }],
          ['org:a', { enc: wrap('r1', 'org:a', 1).enc, ct: wrap('r1', 'org:a', 1).ct }],
        ]),
      );
      v.put({ keys: [wrap('r1', 'org:a', 4)] });
      assert.equal(v.keysOf('r1').get('org:a')?.enc, wrap('r1', 'org:a', 4).enc);
      assert.equal(v.keysOf('r1').size, 2);
      assert.equal(v.keysOf('r2').get('org:a')?.enc, wrap('r2', 'org:a', 3).enc);
      v.close();
    });

    it('stores nothing of a put that fails', () => {
      const v = factory.create();
      assert.throws(() =>
        v.put({
          blobs: [{ record: 'r1', data: bytes(1) }],
          keys: [wrap('r1', 'org:a'), { ...wrap('r1', 'org:b'), enc: null as unknown as string }],
        }),
      );
      assert.equal(v.hasBlob('r1', sha256Hex(bytes(1))), false);
      assert.equal(v.keysOf('r1').size, 0);
      v.close();
    });

    it('stores the puts of one turn before any timer runs, each readable once its promise resolves', async () => {
      const v = factory.create();
      const datas = [1, 2, 3].map((i) => bytes(i, i));
      // A timer set before the puts runs after them.
      const storedByTimer = new Promise<boolean[]>((resolve) =>
        setTimeout(() => {
          resolve(datas.map((data, i) => v.hasBlob(`r${i}`, sha256Hex(data))));
        }, 0),
      );
      const puts = datas.map((data, i) =>
        v.putSoon({ blobs: [{ record: `r${i}`, data }], keys: [wrap(`r${i}`, 'org:a', i)] }),
      );
      assert.deepEqual(await storedByTimer, [true, true, true]);
      await Promise.all(puts);
      datas.forEach((data, i) => {
        assert.deepEqual(plain(v.blob(`r${i}`, sha256Hex(data))), data);
        assert.equal(v.keysOf(`r${i}`).get('org:a')?.ct, wrap(`r${i}`, 'org:a', i).ct);
      });
      v.close();
    });

    it('rejects every put of a turn whose batch fails and stores none of them; a later turn is its own', async () => {
      const v = factory.create();
      const before = v.putSoon({ blobs: [{ record: 'r0', data: bytes(0) }] });
      await before;
      const good = v.putSoon({ blobs: [{ record: 'r1', data: bytes(1) }] });
      const bad = v.putSoon({ keys: [{ ...wrap('r2', 'org:a'), enc: null as unknown as string }] });
      await assert.rejects(good);
      await assert.rejects(bad);
      assert.equal(v.hasBlob('r1', sha256Hex(bytes(1))), false);
      assert.equal(v.hasBlob('r0', sha256Hex(bytes(0))), true);
      await v.putSoon({ blobs: [{ record: 'r3', data: bytes(3) }] });
      assert.equal(v.hasBlob('r3', sha256Hex(bytes(3))), true);
      v.close();
    });

    it('erases a record’s ciphertext and every wrap, and nothing of other records', () => {
      const v = factory.create();
      const [h1, h2] = v.put({
        blobs: [
          { record: 'r1', data: bytes(1) },
          { record: 'r2', data: bytes(2) },
        ],
        keys: [wrap('r1', 'org:a'), wrap('r1', 'key:b'), wrap('r2', 'org:a')],
      });
      assert.equal(v.erase([{ record: 'r1', blob: h1! }]), 1);
      assert.equal(v.hasBlob('r1', h1!), false);
      assert.equal(v.keysOf('r1').size, 0);
      assert.equal(v.hasBlob('r2', h2!), true);
      assert.equal(v.keysOf('r2').size, 1);
      // Erased again, or never stored: nothing to delete.
      assert.equal(v.erase([{ record: 'r1', blob: h1! }]), 0);
      assert.equal(v.erase([{ record: 'r9', blob: h2! }]), 0);
      assert.equal(v.hasBlob('r2', h2!), true);
      // The ciphertext stored for the record goes, whatever hash the chain gives.
      assert.equal(v.erase([{ record: 'r2', blob: h1! }]), 1);
      assert.equal(v.hasBlob('r2', h2!), false);
      v.close();
    });

    it('remembers unwrapped keys by record and recipient, the oldest records forgotten first', () => {
      const v = factory.create({ records: 2 });
      assert.deepEqual(v.unwrappedCache, { used: 0, capacity: 2 });
      const k = (n: number): Uint8Array => new Uint8Array(32).fill(n);
      v.rememberUnwrapped('r1', 'org:a', k(1));
      v.rememberUnwrapped('r1', 'key:b', k(1));
      v.rememberUnwrapped('r2', 'org:a', k(2));
      assert.deepEqual(v.unwrappedKey('r1', 'key:b'), k(1));
      assert.equal(v.unwrappedKey('r1', 'org:c'), undefined);
      assert.equal(v.unwrappedKey('r3', 'org:a'), undefined);
      assert.deepEqual(v.unwrappedCache, { used: 2, capacity: 2 });
      v.rememberUnwrapped('r3', 'org:a', k(3));
      assert.equal(v.unwrappedKey('r1', 'org:a'), undefined);
      assert.equal(v.unwrappedKey('r1', 'key:b'), undefined);
      assert.deepEqual(v.unwrappedKey('r2', 'org:a'), k(2));
      assert.deepEqual(v.unwrappedKey('r3', 'org:a'), k(3));
      assert.deepEqual(v.unwrappedCache, { used: 2, capacity: 2 });
      v.close();
    });

    it('forgets an erased record’s unwrapped keys, overwriting them with zeros', () => {
      const v = factory.create();
      const [h] = v.put({ blobs: [{ record: 'r1', data: bytes(1) }], keys: [wrap('r1', 'org:a')] });
      const key = new Uint8Array(32).fill(5);
      const kept = new Uint8Array(32).fill(6);
      v.rememberUnwrapped('r1', 'org:a', key);
      v.rememberUnwrapped('r2', 'org:a', kept);
      v.erase([{ record: 'r1', blob: h! }]);
      assert.equal(v.unwrappedKey('r1', 'org:a'), undefined);
      assert.deepEqual(key, new Uint8Array(32));
      assert.deepEqual(v.unwrappedKey('r2', 'org:a'), new Uint8Array(32).fill(6));
      assert.equal(v.unwrappedCache.used, 1);
      v.close();
    });

    it('lists the organizations’ sealed keys by org, and keeps the first key of an organization', () => {
      const v = factory.create();
      assert.deepEqual(v.orgKeys(), []);
      v.putOrgKey('st-marys', bytes(2, 2));
      v.putOrgKey('general', bytes(1, 1));
      assert.throws(() => {
        v.putOrgKey('general', bytes(3));
      });
      assert.deepEqual(
        v.orgKeys().map((r) => ({ org: r.org, sealed: plain(r.sealed) })),
        [
          { org: 'general', sealed: bytes(1, 1) },
          { org: 'st-marys', sealed: bytes(2, 2) },
        ],
      );
      v.close();
    });

    it('keeps settings by key, a new value replacing the old', () => {
      const v = factory.create();
      assert.equal(v.setting('index-key'), undefined);
      v.setSetting('index-key', bytes(1));
      v.setSetting('export-secret', bytes(2));
      v.setSetting('index-key', bytes(3, 3));
      assert.deepEqual(plain(v.setting('index-key')), bytes(3, 3));
      assert.deepEqual(plain(v.setting('export-secret')), bytes(2));
      v.sync();
      assert.deepEqual(plain(v.setting('index-key')), bytes(3, 3));
      v.close();
    });

    it('refuses to be read or written once closed', () => {
      const v = factory.create();
      const [h] = v.put({ blobs: [{ record: 'r1', data: bytes(1) }] });
      v.close();
      assert.throws(() => v.blob('r1', h!));
      assert.throws(() => v.put({ blobs: [{ record: 'r2', data: bytes(2) }] }));
      assert.throws(() => v.setting('x'));
      assert.throws(() => v.orgKeys());
    });

    if (factory.reopen) {
      const reopen = factory.reopen;
      it('keeps everything but the unwrapped keys across a reopen', () => {
        const v = factory.create();
        const [h1, h2] = v.put({
          blobs: [
            { record: 'r1', data: bytes(1) },
            { record: 'r2', data: bytes(2) },
          ],
          keys: [wrap('r1', 'org:a'), wrap('r2', 'org:a')],
        });
        v.putOrgKey('general', bytes(9));
        v.setSetting('index-key', bytes(8));
        v.rememberUnwrapped('r1', 'org:a', new Uint8Array(32).fill(1));
        v.erase([{ record: 'r2', blob: h2! }]);
        v.sync();
        const again = reopen(v);
        assert.deepEqual(plain(again.blob('r1', h1!)), bytes(1));
        assert.equal(again.keysOf('r1').get('org:a')?.ct, wrap('r1', 'org:a').ct);
        assert.equal(again.hasBlob('r2', h2!), false);
        assert.equal(again.keysOf('r2').size, 0);
        assert.deepEqual(
          again.orgKeys().map((r) => r.org),
          ['general'],
        );
        assert.deepEqual(plain(again.setting('index-key')), bytes(8));
        assert.equal(again.unwrappedKey('r1', 'org:a'), undefined);
        again.close();
      });
    }
  });
}
