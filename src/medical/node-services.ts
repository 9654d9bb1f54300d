/**
 * @module
 * What the medical node offers the parts it is made of (the scoped handle, patient actions, consent
 * wraps, blob sync): each part takes the members it uses of {@link NodeServices}, never the node
 * itself, so none of them imports medical-node.ts and the node composes them without a cycle.
 */
import type { OrgPolicy } from '../core/consent.ts';
import type { X25519KeyPair } from '../core/hpke.ts';
import type { Signer } from '../core/keys.ts';
import type { Tx } from '../core/tx.ts';
import type { BlockProducer } from '../chain/block-producer.ts';
import type { ChainNode } from '../chain/chain-node.ts';
import type { RecordEntry } from '../state-machine/medical-state.ts';
import type { AccessLog } from './access-log.ts';
import type { Credentials } from './accounts.ts';
import type { RecordClaims } from './record-claims.ts';
import type { SqliteMedicalState } from './sqlite-medical-state.ts';
import type { Vault } from './vault.ts';

/** A logged-in user: their unsealed keys and directory entry, for one session. */
export interface Session extends Credentials {
  /** Blind id of the patient, for a patient. */
  readonly patient: string | undefined;
}

/** The medical node as its parts see it (MedicalNode implements it). */
export interface NodeServices {
  readonly ledger: ChainNode;
  readonly vault: Vault;
  readonly producer: BlockProducer;
  readonly state: SqliteMedicalState;
  readonly accessLog: AccessLog;
  readonly recordClaims: RecordClaims;
  readonly policy: OrgPolicy;
  /** The organization this node writes for. */
  readonly org: string;
  readonly exportSecret: Uint8Array;
  /** The node's clock, ms. */
  readonly now: number;
  /** The blind index of a patient id (HMAC with the consortium index key). */
  blind(patientId: string): string;
  hostsOrg(org: string): boolean;
  hostedOrgs(): string[];
  orgKey(org: string): X25519KeyPair | undefined;
  /** Records a new record's recipients were chosen from the directory as it is now. */
  noteRecipients(id: string): void;
  patientRecords(): Iterable<RecordEntry>;
  /** Submits a signed transaction; resolves with its id once admitted. */
  submit(tx: Tx): Promise<string>;
  /** Asks for a block soon (a write someone waits for). */
  nudge(): void;
  signerOfNode(): Signer;
}
