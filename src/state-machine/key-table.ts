/**
 * @module
 * Where the directory keeps its keys: the one part of it that grows with the users (every patient
 * login is a key). `KeyRegistry` decides what a block changes and asks a `KeyTable` to hold it, in
 * memory (`MemoryKeyTable`, the reference, used by replays) or on disk (node/sqlite-key-table.ts).
 * Both pass key-table-conformance.ts.
 */
import type { KeyObject } from 'node:crypto';
import type { Role } from './payloads.ts';

export interface KeyEntry {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  readonly publicKeyHex: string;
  readonly role: Role;
  readonly org?: string;
  readonly encryptionKey?: string;
  /** Blind id of the patient (role patient). */
  readonly patient?: string;
  readonly registeredAt: number;
  readonly revokedAt?: number;
}

export interface KeyTable {
  /** Keys ever registered, revoked ones included. */
  readonly size: number;
  get(keyId: string): KeyEntry | undefined;
  /** Adds a key not in the table yet (the registry checked that). */
  add(entry: KeyEntry): void;
  /** Marks an active key revoked at `height`. */
  revoke(keyId: string, height: number): void;
  /** Key ids registered for a patient's blind id, in the order they were registered. */
  ofPatient(patient: string): string[];
  /** Every key in the order they were registered, read in pages where the table is on disk. */
  entries(): Iterable<KeyEntry>;
  /** The keys of one role in the order they were registered. */
  withRole(role: Role): Iterable<KeyEntry>;
}

export class MemoryKeyTable implements KeyTable {
  readonly #keys = new Map<string, KeyEntry>();
  readonly #patients = new Map<string, string[]>();

  get size(): number {
    return this.#keys.size;
  }

  get(keyId: string): KeyEntry | undefined {
    return this.#keys.get(keyId);
  }

  add(entry: KeyEntry): void {
    this.#keys.set(entry.keyId, entry);
    if (entry.patient !== undefined)
      this.#patients.set(entry.patient, [...(this.#patients.get(entry.patient) ?? []), entry.keyId]);
  }

  revoke(keyId: string, height: number): void {
    const e = this.#keys.get(keyId);
    if (e && e.revokedAt === undefined) this.#keys.set(keyId, { ...e, revokedAt: height });
  }

  ofPatient(patient: string): string[] {
    return [...(this.#patients.get(patient) ?? [])];
  }

  entries(): Iterable<KeyEntry> {
    return this.#keys.values();
  }

  *withRole(role: Role): Iterable<KeyEntry> {
    for (const e of this.#keys.values()) if (e.role === role) yield e;
  }
}
