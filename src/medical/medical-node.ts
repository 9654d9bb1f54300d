/**
 * @module
 * A MedLedger node with its medical contracts: the ledger, the vault (blobs, wrapped keys, accounts,
 * organization keys), the replayed medical state and the organization policy. It creates users and
 * organizations, commits pending transactions, logs users in, and hands out a ledger handle scoped to
 * a session (`as(session)`): code above it never checks permissions itself.
 *
 * First run: the node creates its organization (with an X25519 key the node holds, sealed in the
 * vault) and a default admin; the admin's password comes from MEDLEDGER_ADMIN_PASSWORD or is random
 * and returned once to be shown.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openAead, sealAead } from '../core/aead.ts';
import { blindId as blindOf } from '../core/blind-index.ts';
import { toHex, utf8 } from '../core/bytes.ts';
import type { OrgPolicy } from '../core/consent.ts';
import { ArgumentValueError, AuthFailedError, NotFoundError, RoleForbiddenError } from '../core/errors.ts';
import { generateX25519, x25519FromPrivate, x25519PrivateRaw } from '../core/hpke.ts';
import type { X25519KeyPair } from '../core/hpke.ts';
import { signerFromSeed } from '../core/keys.ts';
import type { Signer } from '../core/keys.ts';
import { createTx, decodeTx } from '../core/tx.ts';
import type { Json } from '../core/canonical-json.ts';
import type { Tx, TxType } from '../core/tx.ts';
import { admissible } from '../state-machine/medical-state.ts';
import { AccessLog } from './access-log.ts';
import { SqliteMedicalState } from './sqlite-medical-state.ts';
import { withReplayedState } from './replayed-state.ts';
import { DEFAULT_CACHE_SIZES } from '../chain/caches.ts';
import type { CacheReport, CacheSizes } from '../chain/caches.ts';
import type { Role } from '../state-machine/payloads.ts';
import type { RecordEntry } from '../state-machine/medical-state.ts';
import { Accounts, DEFAULT_KDF } from './accounts.ts';
import { AccessRequests } from './access-requests.ts';
import { PatientBindings } from './patient-bindings.ts';
import { BoundLogins } from './bound-logins.ts';
import type { BoundLogin } from './bound-logins.ts';
import type { PendingBinding } from './patient-bindings.ts';
import { ApiTokens } from './api-tokens.ts';
import type { TokenLifetime } from './api-tokens.ts';
import type { AccountInfo, Credentials, KdfCost } from './accounts.ts';
import type { NodeServices, Session } from './node-services.ts';
import { runChecks, vaultChecks } from './vault-check.ts';
import type { VaultReport } from './vault-check.ts';
import { startSigPool } from '../runtime/sig-pool.ts';
import { ChainNode } from '../chain/chain-node.ts';
import { BlockProducer } from '../chain/block-producer.ts';
import { WorkerMiner } from '../chain/miner.ts';
import { RecordClaims } from './record-claims.ts';
import type { InitOptions } from '../chain/chain-node.ts';
import { SessionScope } from './session-scope.ts';
import { SqliteVault } from './sqlite-vault.ts';
import { rewrap, wrapForConsents } from './consent-wraps.ts';
import { parseRecordErase } from '../state-machine/payloads.ts';
import type { ConsortiumMember } from '../consortium/consortium.ts';
import { BlobSync } from './blob-sync.ts';
import { ChainInfo } from './chain-info.ts';
import { NodeMembership } from './node-membership.ts';
import { ReplicaSource } from './replica-source.ts';
import { RequestScope } from './request-scope.ts';

export interface MedicalNodeOptions extends InitOptions {
  /** The organization this node runs for (created on first run). */
  readonly org?: { readonly id: string; readonly name: string };
  readonly adminEmail?: string;
  readonly adminPassword?: string;
  readonly kdf?: KdfCost;
  /** API tokens' default and maximum lifetime (default 90 and 365 days). */
  readonly tokenLifetime?: TokenLifetime;
  readonly policy?: OrgPolicy;
  readonly verify?: 'checkpoint' | 'full';
  /** Consortium mode: the chain is shared with other members through etcd (see consortium.ts). */
  readonly consortium?: ConsortiumMember;
  /** The consortium index key every member shares (blind patient ids agree across members). */
  readonly indexKey?: Uint8Array;
  /** Bounds of the node's caches (caches.ts). */
  readonly caches?: Partial<CacheSizes>;
  /** Hears how far the state tables are built, for a data directory that predates them (once). */
  readonly progress?: (height: number, head: number) => void;
}

export type { Session } from './node-services.ts';

export interface NewUser {
  readonly email: string;
  readonly name: string;
  readonly password: string;
  readonly role: Exclude<Role, 'node'>;
  readonly org?: string;
  /** For a patient: the FHIR Patient id this account is. */
  readonly patientId?: string;
}

export type { VaultProblem, VaultReport } from './vault-check.ts';

export const DEFAULT_ORG = { id: 'st-marys', name: 'St. Mary’s Hospital' } as const;
export const DEFAULT_POLICY: OrgPolicy = { orgDoctorsTreatment: true };

export class MedicalNode implements NodeServices {
  readonly ledger: ChainNode;
  readonly vault: SqliteVault;
  readonly accounts: Accounts;
  readonly tokens: ApiTokens;
  /** Doctors' requests for a patient's consent (node-local mailbox). */
  readonly accessRequests: AccessRequests;
  /** Patient logins waiting for a second admin. */
  readonly bindings: PatientBindings;
  /** Mines and commits blocks; the vault is made durable before each block that refers to it. */
  readonly producer: BlockProducer;
  /** Records, consents and erasures, on disk (sqlite-medical-state.ts). */
  readonly state: SqliteMedicalState;
  /** Every access event of the chain, on disk (access-log.ts). */
  readonly accessLog: AccessLog;
  /** Consent epoch at which this node computed each pending record's recipients (consent-wraps.ts). */
  readonly #sealedAt = new Map<string, number>();

  /** Notes that record `id`'s recipients were computed from the consents committed now. */
  noteRecipients(id: string): void {
    // Writes that never commit leave entries: past the bound, forget all (those records get checked).
    if (this.#sealedAt.size >= this.#caches.records) this.#sealedAt.clear();
    this.#sealedAt.set(id, this.state.consentEpoch);
  }

  #takeSealedAt(id: string): number | undefined {
    const e = this.#sealedAt.get(id);
    this.#sealedAt.delete(id);
    return e;
  }

  /** Ids of new records whose writes are in progress or pending (see record-claims.ts). */
  readonly recordClaims = new RecordClaims((txId) => this.ledger.isPending(txId));
  readonly policy: OrgPolicy;
  readonly org: string;
  readonly indexKey: Uint8Array;
  /** Secret for research pseudonyms and date shifts (OMOP export). */
  readonly exportSecret: Uint8Array;
  readonly #dataKey: Uint8Array;
  readonly #orgKeys = new Map<string, X25519KeyPair>();
  readonly #now: () => number;
  readonly #caches: CacheSizes;
  readonly #blinds = new Map<string, string>();
  /** The consortium this node is a member of, when not solo. */
  readonly consortium: ConsortiumMember | undefined;
  /** Fetches other members' record ciphertexts (consortium mode). */
  blobSync: BlobSync | undefined;
  /** The chain, read-only: heads, blocks, proofs, the key directory. */
  readonly chain: ChainInfo;
  /** What member nodes may fetch from this one to replicate. */
  readonly replicas: ReplicaSource;
  /** Consortium membership: member nodes, proposals, this node's votes. */
  readonly membership: NodeMembership;

  private constructor(
    ledger: ChainNode,
    vault: SqliteVault,
    dataKey: Uint8Array,
    org: string,
    opts: MedicalNodeOptions,
  ) {
    this.ledger = ledger;
    this.vault = vault;
    this.accessLog = new AccessLog(ledger.store);
    this.state = new SqliteMedicalState(ledger.store, {
      isPatientRecord: (id, patient) => this.blind(id) === patient,
    });
    this.#dataKey = dataKey;
    this.#caches = { ...DEFAULT_CACHE_SIZES, ...opts.caches };
    this.accounts = new Accounts(vault, dataKey, opts.kdf ?? DEFAULT_KDF);
    this.producer = new BlockProducer(ledger, () => {
      vault.sync();
    });
    this.tokens = new ApiTokens(vault, (keyId) => this.accounts.byKeyId(keyId), opts.tokenLifetime);
    this.accessRequests = new AccessRequests(vault);
    this.bindings = new PatientBindings(vault);
    this.#bound = new BoundLogins(ledger);
    this.chain = new ChainInfo(ledger);
    this.replicas = new ReplicaSource(ledger, vault);
    this.membership = new NodeMembership(ledger, this.producer, opts.consortium, (type, payload) =>
      this.submitAsNode(type, payload),
    );
    this.policy = opts.policy ?? DEFAULT_POLICY;
    this.org = org;
    this.#now = opts.now ?? Date.now;
    this.consortium = opts.consortium;
    this.indexKey = opts.indexKey ?? this.#secret('index-key', () => randomBytes(32));
    this.exportSecret = this.#secret('export-secret', () => randomBytes(32));
    for (const r of vault.orgKeys())
      this.#orgKeys.set(
        r.org,
        x25519FromPrivate(openAead(dataKey, r.sealed, utf8(`medledger:org-key:${r.org}`))),
      );
  }

  /** Opens the node in `dir`, creating ledger, organization and default admin on first run. */
  static async open(
    dir: string,
    opts: MedicalNodeOptions = {},
  ): Promise<{ node: MedicalNode; admin?: { email: string; password: string } }> {
    const member = opts.consortium;
    // A consortium node verifies the blocks it catches up on at once: signature threads up first.
    // Elsewhere (a solo server, a CLI command) they start with the first batch worth sending them.
    if (member) await startSigPool();
    const caches = { ...DEFAULT_CACHE_SIZES, ...opts.caches };
    const ledger = member
      ? await ChainNode.join(dir, member.genesis.block, {
          orderer: member.makeOrderer,
          cacheMiB: caches.sqliteMiB,
          keyCache: caches.keys,
          txIdBuffer: caches.txIds,
          ...(opts.verify ? { verify: opts.verify } : {}),
        })
      : await ChainNode.openOrInit(dir, {
          ...opts,
          cacheMiB: caches.sqliteMiB,
          keyCache: caches.keys,
          txIdBuffer: caches.txIds,
        });
    const vault = new SqliteVault(join(ledger.paths.dir, 'vault.sqlite'), {
      cacheMiB: caches.sqliteMiB,
      records: caches.records,
    });
    const seed = ledger.signer.privateKey.export({ format: 'jwk' }).d ?? '';
    const dataKey = new Uint8Array(
      hkdfSync('sha256', Buffer.from(seed, 'base64url'), new Uint8Array(0), 'medledger:vault:v1', 32),
    );
    const org = opts.org ?? DEFAULT_ORG;
    const node = new MedicalNode(ledger, vault, dataKey, org.id, opts);
    // Registered before anything can commit a block, then brought up to the head (a data directory
    // written before the table existed is indexed here, once).
    ledger.onAppend((rows, txs, height) => {
      node.accessLog.append(rows, txs, height);
      node.state.apply(
        txs,
        height,
        rows.map((r) => r.seq),
      );
    });
    node.accessLog.catchUp();
    node.state.catchUp(opts.progress);
    if (member) {
      await member.attach(ledger, node.producer);
      node.blobSync = new BlobSync(node, () => member.peers());
    }
    // Erasures are few; each is checked against the vault below.
    const erasures = [...ledger.store.txsOfTypes(['record.erase'])].map((t) =>
      decodeTx({ body: t.body, sig: t.sig }),
    );
    ledger.onCommit((txs) => {
      node.#carryOutErasures(txs);
      wrapForConsents(node, txs, (id) => node.#takeSealedAt(id));
    });
    // Erasures committed while the vault missed them (crash between commit and erase) are redone.
    node.#carryOutErasures(erasures);
    node.blobSync?.start();
    let admin: { email: string; password: string } | undefined;
    // A node the members have not admitted yet waits for their quorum before it creates its organization.
    if (member && !member.isMember) await member.admitted();
    if (!ledger.hasOrg(org.id)) {
      await node.createOrganization(org.id, org.name);
      const email = opts.adminEmail ?? `admin@${org.id}.example`;
      const password =
        opts.adminPassword ?? process.env.MEDLEDGER_ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
      await node.createUser({ email, name: 'Administrator', password, role: 'admin', org: org.id });
      admin = { email, password };
    }
    return admin ? { node, admin } : { node };
  }

  get now(): number {
    return this.#now();
  }

  /** What each cache holds now and its bound (shown in /metrics). */
  cacheReport(): CacheReport[] {
    const sqlite = this.#caches.sqliteMiB * 1024 * 1024;
    const unwrapped = this.vault.unwrappedCache;
    return [
      { name: 'sqlite-ledger', used: undefined, capacity: sqlite, unit: 'bytes' },
      { name: 'sqlite-vault', used: undefined, capacity: sqlite, unit: 'bytes' },
      { name: 'unwrapped-keys', used: unwrapped.used, capacity: unwrapped.capacity, unit: 'entries' },
      { name: 'blind-ids', used: this.#blinds.size, capacity: this.#caches.records, unit: 'entries' },
      { name: 'sealing-epochs', used: this.#sealedAt.size, capacity: this.#caches.records, unit: 'entries' },
      { name: 'directory-keys', ...this.ledger.directoryCache, unit: 'entries' },
      { name: 'tx-id-buffer', ...this.ledger.store.txIdBuffer, unit: 'entries' },
    ];
  }

  /** Organizations whose X25519 private key this node holds. */
  hostsOrg(org: string): boolean {
    return this.#orgKeys.has(org);
  }

  hostedOrgs(): string[] {
    return [...this.#orgKeys.keys()];
  }

  orgKey(org: string): X25519KeyPair | undefined {
    return this.#orgKeys.get(org);
  }

  /** Creates an organization hosted by this node: its key sealed in the vault, `org.join` on chain. */
  async createOrganization(org: string, name: string): Promise<void> {
    const kp = generateX25519();
    this.vault.putOrgKey(
      org,
      sealAead(this.#dataKey, x25519PrivateRaw(kp), utf8(`medledger:org-key:${org}`)),
    );
    this.#orgKeys.set(org, kp);
    await this.submitAsNode('org.join', { org, name, encryptionKey: toHex(kp.publicKey) });
    await this.commit();
  }

  /**
   * Creates a user: fresh Ed25519 and X25519 keys sealed with their password in the vault, and an
   * `identity.register` signed by `by` (an admin of the organization) or by the node. A patient has
   * one login: a second is refused. An admin's patient login waits (`pending`) until a second admin
   * approves it ({@link approveBinding}): one admin alone cannot obtain a patient's records.
   */
  async createUser(u: NewUser, by?: Session): Promise<AccountInfo & { readonly pending?: true }> {
    const org = u.org ?? by?.org ?? this.org;
    if (!this.ledger.hasOrg(org)) throw new NotFoundError('organization', org);
    if (u.role === 'patient' && !u.patientId)
      throw new ArgumentValueError('patientId', 'is required for a patient');
    const patient = u.role === 'patient' ? this.blind(u.patientId!) : undefined;
    if (patient !== undefined && this.#hasLogin(patient))
      throw new ArgumentValueError(
        'patientId',
        'the patient already has a login, or one waiting for approval: it is revoked first',
      );
    const seed = randomBytes(32);
    const signer = signerFromSeed(seed);
    const encryption = generateX25519();
    const info = this.accounts.create(
      { email: u.email, name: u.name, password: u.password, role: u.role, org, signer, seed, encryption },
      this.#now(),
    );
    const payload = {
      publicKey: toHex(signer.publicKey),
      role: u.role,
      org,
      encryptionKey: toHex(encryption.publicKey),
      ...(patient ? { patient } : {}),
    };
    if (by && patient) {
      this.bindings.add({
        keyId: signer.keyId,
        requestedBy: by.keyId,
        org,
        payload: { ...payload, patient },
        created: this.#now(),
      });
      return { ...info, pending: true };
    }
    try {
      if (by)
        await this.ledger.submit(createTx(by.signer, 'identity.register', payload, { time: this.#now() }));
      else await this.submitAsNode('identity.register', payload);
      await this.commit();
      // A patient who enrolls gets the keys of the records written about them so far.
      if (patient) rewrap(this, undefined, patient, `key:${signer.keyId}`);
    } catch (e) {
      this.vault.db.prepare('DELETE FROM accounts WHERE key_id = ?').run(signer.keyId);
      throw e;
    }
    return info;
  }

  /**
   * Approves a patient login another admin asked for: its `identity.register`, signed by `by` and
   * naming the admin who asked, is committed, and the login gets the keys of the patient's records.
   */
  async approveBinding(keyId: string, by: Session): Promise<string> {
    if (by.role !== 'admin') throw new RoleForbiddenError(by.role, ['admin']);
    const b = this.bindings.get(keyId, by.org);
    if (b.requestedBy === by.keyId)
      throw new RoleForbiddenError('admin who asked for this binding', ['another admin of the organization']);
    if (this.ledger.directory.patientKeys(b.payload.patient).length > 0)
      throw new ArgumentValueError('keyId', 'the patient already has an active login');
    const tx = await this.ledger.submit(
      createTx(
        by.signer,
        'identity.register',
        { ...b.payload, requestedBy: b.requestedBy },
        { time: this.#now() },
      ),
    );
    await this.commit();
    this.bindings.remove(keyId);
    rewrap(this, undefined, b.payload.patient, `key:${keyId}`);
    return tx;
  }

  /** Declines a pending patient login (any admin of the organization): the account is deleted. */
  declineBinding(keyId: string, by: Session): void {
    if (by.role !== 'admin') throw new RoleForbiddenError(by.role, ['admin']);
    this.bindings.get(keyId, by.org);
    this.bindings.remove(keyId);
    this.vault.db.prepare('DELETE FROM accounts WHERE key_id = ?').run(keyId);
  }

  /** Patient logins of `org` waiting for a second admin. */
  pendingBindings(org: string | undefined): PendingBinding[] {
    return this.bindings.ofOrg(org);
  }

  readonly #bound: BoundLogins;

  /** How login `keyId` was bound to its patient, when two admins bound it. */
  boundLogin(keyId: string): BoundLogin | undefined {
    return this.#bound.of(keyId);
  }

  #hasLogin(patient: string): boolean {
    return this.ledger.directory.patientKeys(patient).length > 0 || this.bindings.pendingFor(patient);
  }

  /** Revokes a user's identity (an `identity.revoke` signed by `by`, an admin of their organization). */
  async revokeUser(keyId: string, by: Session): Promise<string> {
    if (!this.ledger.directory.active(keyId)) throw new NotFoundError('active user', keyId);
    const tx = await this.ledger.submit(
      createTx(by.signer, 'identity.revoke', { keyId }, { time: this.#now() }),
    );
    await this.settle(tx);
    return tx;
  }

  /** Logs a user in: checks the password, unseals their keys, and joins their directory entry. */
  login(email: string, password: string): Session {
    return this.sessionOf(this.accounts.login(email, password));
  }

  /** `login` with the key derivation off the event loop (for servers). */
  async loginAsync(email: string, password: string): Promise<Session> {
    return this.sessionOf(await this.accounts.loginAsync(email, password));
  }

  /** A session for unsealed credentials; AuthFailedError when the identity is no longer active. */
  sessionOf(c: Credentials): Session {
    const entry = this.ledger.directory.active(c.keyId);
    if (!entry) throw new AuthFailedError();
    return { ...c, patient: entry.patient };
  }

  /** A ledger handle scoped to `session`: every operation is decided by consent and policy, and audited. */
  as(session: Session): SessionScope {
    return new SessionScope(this, session);
  }

  /** The handle of a server request: `as(session)` whose writes resolve once committed. */
  forRequest(session: Session): RequestScope {
    return new RequestScope(this, session);
  }

  /** A user's account (name, role, organization) by key id. */
  account(keyId: string): AccountInfo | undefined {
    return this.accounts.byKeyId(keyId);
  }

  /** A page of an organization's accounts (see Accounts.page). */
  accountsPage(
    org: string | undefined,
    after: string | undefined,
    limit: number,
  ): (AccountInfo & { cursor: string })[] {
    return this.accounts.page(org, after, limit);
  }

  /** The session a personal API token acts for; AuthFailedError for a bad, expired or revoked one. */
  tokenSession(token: string, now: number): Session {
    return this.sessionOf(this.tokens.resolve(token, now));
  }

  /** Whether API token `id` still acts (not revoked or expired); notes its use when `touch`. */
  tokenActive(id: string, now: number, touch = false): boolean {
    const active = this.tokens.isActive(id, now);
    if (active && touch) this.tokens.touch(id, now);
    return active;
  }

  /** The transaction that added record `id` (for its inclusion proof). */
  recordTx(id: string): string | undefined {
    return this.state.records.get(id)?.tx;
  }

  readonly #patientIds = new Map<string, string>();

  /**
   * The FHIR Patient id behind a blind id: the patient's own Patient record is the one whose record
   * id blinds to it (records are stored under their FHIR id). Only metadata the node holds is used.
   */
  patientIdOf(blind: string): string | undefined {
    const hit = this.#patientIds.get(blind);
    if (hit !== undefined) return hit;
    for (const r of this.state.recordsOf(blind)) {
      if (this.blind(r.id) === blind) {
        if (this.#patientIds.size > 10_000) this.#patientIds.clear();
        this.#patientIds.set(blind, r.id);
        return r.id;
      }
    }
    return undefined;
  }

  /** Records that are Patient resources (their id is the FHIR Patient id whose blind id they carry). */
  patientRecords(): Iterable<RecordEntry> {
    return this.state.patientRecords();
  }

  /** Whether a Patient record with blind id `patient` exists (and is not erased). */
  hasPatient(patient: string): boolean {
    return this.state.recordsOf(patient).some((r) => !r.erasedBy && this.blind(r.id) === patient);
  }

  /** The blind id of a FHIR Patient id (memoized: every read of a patient needs it). */
  blind(patientId: string): string {
    let b = this.#blinds.get(patientId);
    if (b === undefined) {
      b = blindOf(this.indexKey, patientId);
      if (this.#blinds.size >= this.#caches.records) this.#blinds.clear();
      this.#blinds.set(patientId, b);
    }
    return b;
  }

  /** Signs `payload` with the node key and submits it. */
  async submitAsNode(type: TxType, payload: Json): Promise<string> {
    return this.ledger.submit(createTx(this.ledger.signer, type, payload, { time: this.#now() }), {
      signedHere: true,
    });
  }

  /**
   * Submits a transaction signed in this process (a user's session key or the node key) after the
   * medical state's own admission rules.
   */
  async submit(tx: Tx): Promise<string> {
    const why = admissible(this.state, tx);
    if (why !== undefined) throw new ArgumentValueError(tx.body.type, why);
    return this.ledger.submit(tx, { signedHere: true });
  }

  /** Mines and commits every pending transaction; returns the number of blocks mined meanwhile. */
  commit(): Promise<number> {
    return this.producer.commit();
  }

  /** Resolves once the pending transaction `txId` is committed in a block (see BlockProducer). */
  settle(txId: string): Promise<void> {
    return this.producer.settle(txId);
  }

  #workerMiner: WorkerMiner | undefined;

  /**
   * Makes blocks on its own from now on, as a server does: what is submitted gathers into blocks,
   * mined on worker threads (closed with the node).
   */
  produceBlocks(): void {
    if (this.#workerMiner) return;
    this.producer.auto = true;
    this.#workerMiner = new WorkerMiner();
    this.ledger.miner = this.#workerMiner.mine;
  }

  /** With automatic mining, starts the block producer for what was just submitted. */
  nudge(): void {
    this.producer.nudge();
  }

  signerOfNode(): Signer {
    return this.ledger.signer;
  }

  /** Deletes the ciphertext and wrapped keys of records erased by committed `record.erase` txs. */
  #carryOutErasures(txs: readonly Tx[]): void {
    const doomed: { record: string; blob: string }[] = [];
    for (const tx of txs) {
      if (tx.body.type !== 'record.erase') continue;
      const p = parseRecordErase(tx.body.payload);
      if (typeof p === 'string') continue;
      for (const id of p.records) {
        const r = this.state.records.get(id);
        if (r?.erasedBy === tx.id) doomed.push({ record: id, blob: r.blob });
      }
    }
    if (doomed.length > 0) this.vault.erase(doomed);
  }

  /** The vault check (vault-check.ts) over every record, at once. */
  verifyVault(): VaultReport {
    return runChecks(this.#vaultChecks());
  }

  #vaultChecks(): Generator<undefined, VaultReport> {
    return vaultChecks(this.state.records, this.vault, this.#replicating());
  }

  #replicating(): ReadonlySet<string> {
    return this.replicating();
  }

  /** Ciphertexts still being fetched from the member that wrote them (not yet missing). */
  replicating(): ReadonlySet<string> {
    return this.blobSync?.pending() ?? new Set<string>();
  }

  /** A sealed secret of the node (the consortium index key, …), created on first use. */
  #secret(name: string, make: () => Uint8Array): Uint8Array {
    const aad = utf8(`medledger:secret:${name}`);
    const stored = this.vault.setting(name);
    if (stored) return openAead(this.#dataKey, stored, aad, name);
    const v = make();
    this.vault.setSetting(name, sealAead(this.#dataKey, v, aad));
    return v;
  }

  async close(): Promise<void> {
    try {
      this.blobSync?.close();
      await this.consortium?.close();
      await this.ledger.close();
      this.consortium?.disconnect();
      this.vault.close();
    } finally {
      await this.#workerMiner?.close();
    }
  }

  /**
   * `verifyVault` of the node whose open ledger is `ledger`, without opening the node (for `medledger
   * verify`): no organization or admin is created and erasures the vault missed are reported as
   * `erasure-incomplete`, not redone as `open` does. The caller checks that vault.sqlite exists (this
   * would create an empty one) and keeps ownership of `ledger`.
   */
  static verifyVaultOf(ledger: ChainNode): VaultReport {
    const seed = ledger.signer.privateKey.export({ format: 'jwk' }).d ?? '';
    const dataKey = new Uint8Array(
      hkdfSync('sha256', Buffer.from(seed, 'base64url'), new Uint8Array(0), 'medledger:vault:v1', 32),
    );
    const vault = new SqliteVault(join(ledger.paths.dir, 'vault.sqlite'));
    try {
      const node = new MedicalNode(ledger, vault, dataKey, DEFAULT_ORG.id, {});
      const isPatientRecord = (id: string, patient: string): boolean => node.blind(id) === patient;
      return withReplayedState(ledger.store, isPatientRecord, (replayed, differs) => {
        const report = runChecks(vaultChecks(replayed.records, vault, new Set()));
        const problems = [...report.problems];
        const accessLog = node.accessLog.problem();
        if (accessLog) problems.push(accessLog);
        if (differs)
          problems.push({
            record: '',
            height: differs.height,
            kind: 'medical-state',
            detail: differs.detail,
          });
        return { ...report, ok: problems.length === 0, problems };
      });
    } finally {
      vault.close();
    }
  }
}
