/**
 * @module
 * The ledger as one user sees it: a handle scoped to a session. Every read is decided by the pure
 * consent function (`evaluate`), decrypted only when allowed, and logged on the chain as an access
 * event (allowed, denied or break-glass); every write is validated (FHIR R4), encrypted per record,
 * wrapped to its entitled recipients and signed with the user's own key. Routes and commands above
 * never check permissions themselves (medplum's scoped-repository pattern).
 */
import type { EventPage } from './access-log.ts';
import { newRecordId } from '../core/record-id.ts';
import type { Resource } from '@medplum/fhirtypes';
import { evaluate } from '../core/consent.ts';
import type { Decision, Purpose, RecordMeta, Requester } from '../core/consent.ts';
import type { Json } from '../core/canonical-json.ts';
import {
  AccessDeniedError,
  ArgumentValueError,
  NotFoundError,
  RecordErasedError,
  RecordExistsError,
  TxNotPermittedError,
} from '../core/errors.ts';
import type { X25519KeyPair } from '../core/hpke.ts';
import { createTx } from '../core/tx.ts';
import type { TxType } from '../core/tx.ts';
import { foreignSubject, patientReference, stripPatient, subjectReferences } from '../fhir/patient-ref.ts';
import { invalidSubject } from '../fhir/outcome.ts';
import { validateRecord } from '../fhir/validate.ts';
import type { AccessEntry, ConsentEntry, Page, RecordEntry } from '../state-machine/medical-state.ts';
import { OmopBuilder } from '../fhir/omop.ts';
import type { OmopTables } from '../fhir/omop-tables.ts';
import {
  accessEvent,
  accessLog,
  accessLogSize,
  approveErasure,
  grantConsent,
  requestErasure,
  researchCohort,
  revokeConsent,
  consentVisibleTo,
  visibleConsents,
} from './patient-actions.ts';
import type { ConsentRequest } from './patient-actions.ts';
import type { AccessAction } from '../state-machine/payloads.ts';
import type { NodeServices, Session } from './node-services.ts';
import {
  openRecord,
  recipientKey,
  recipientsFor,
  recordKey,
  recordPayload,
  sealJob,
} from './record-crypto.ts';
import type { RecordClaim } from './record-claims.ts';
import { recordMeta, recordView } from './record-views.ts';
import type { RecordView } from './record-views.ts';
import { sealOne } from './seal-pool.ts';
import { openNote, sealNote } from './break-glass-notes.ts';
import type { RecipientKey } from './record-crypto.ts';
import type { Recipient } from './vault.ts';

export interface ReadOptions {
  readonly purpose?: Purpose;
  /** Break the glass: an emergency read without consent, with a stated reason (audited, shown to the patient). */
  readonly breakGlass?: { readonly reason: string };
}

export type { RecordView } from './record-views.ts';

export interface PatientSummary {
  readonly id: string;
  readonly name: string;
  readonly birthDate?: string;
  readonly gender?: string;
}

export interface WriteResult {
  readonly id: string;
  readonly recordId: string;
  readonly tx: string;
  readonly version: number;
}

export class SessionScope {
  readonly #node: NodeServices;
  readonly session: Session;

  constructor(node: NodeServices, session: Session) {
    this.#node = node;
    this.session = session;
  }

  get requester(): Requester {
    const s = this.session;
    return {
      keyId: s.keyId,
      role: s.role,
      ...(s.org ? { org: s.org } : {}),
      ...(s.patient ? { patient: s.patient } : {}),
    };
  }

  // ---- writes ----------------------------------------------------------------------------------------

  /**
   * Adds a FHIR resource as a new record (validated, encrypted, wrapped, signed by the user). Its
   * subject must be a patient of this node, and a doctor needs a treatment relationship with the
   * patient (their organization holds the chart, a treatment consent, or `breakGlass`).
   */
  addRecord(input: unknown, opts: Pick<ReadOptions, 'breakGlass'> = {}): Promise<WriteResult> {
    // Announced: a block being gathered waits for its transaction while it is validated and sealed.
    return this.#node.producer.announced(() => this.#addRecord(input, opts));
  }

  /** Amends a record: an append-only correction that references the original; both stay visible. */
  amendRecord(id: string, input: unknown): Promise<WriteResult> {
    return this.#node.producer.announced(() => this.#amendRecord(id, input));
  }

  async #addRecord(input: unknown, opts: Pick<ReadOptions, 'breakGlass'>): Promise<WriteResult> {
    const resource = validateRecord(input);
    const id = resource.id ?? newRecordId();
    if (this.#node.state.records.has(id)) throw new RecordExistsError(id);
    const chart = this.#chartOf({ ...resource, id });
    const org = this.session.org ?? this.#node.org;
    const claim = this.#node.recordClaims.claim(id, org);
    try {
      const patient = this.#patientOf({ ...resource, id });
      const meta = recordMeta(id, patient, org, this.session.keyId, { ...resource, id });
      const purpose = opts.breakGlass ? 'emergency' : 'treatment';
      const d = this.#decide(meta, 'write', purpose, opts.breakGlass, chart);
      await this.#require(d, meta, 'write', purpose);
      // The record's transaction says who wrote it; an emergency write is also logged as one.
      if (d.allow && d.breakGlass)
        await this.#log('write', patient, [id], purpose, d, opts.breakGlass?.reason);
      const stored = { ...resource, id, meta: { ...resource.meta, versionId: '1' } } as Resource;
      const recipients = this.#recipients(patient, meta.org, stored.resourceType);
      this.#node.noteRecipients(id);
      const tx = await this.#write('record.add', id, stored, patient, meta.org, recipients, undefined, claim);
      return { id, recordId: id, tx, version: 1 };
    } finally {
      claim.release();
    }
  }

  async #amendRecord(id: string, input: unknown): Promise<WriteResult> {
    const original = this.#entry(id);
    const resource = validateRecord(input);
    let current: Resource;
    try {
      current = this.#open(original, 'write', { purpose: 'treatment' });
    } catch (e) {
      await this.#flushDenial(e, 'write');
      throw e;
    }
    if (resource.resourceType !== current.resourceType)
      throw new ArgumentValueError('resourceType', `an amendment keeps the type ${current.resourceType}`);
    const foreign = foreignSubject(resource);
    if (foreign || this.#patientOf({ ...resource, id }) !== original.patient)
      throw invalidSubject(
        foreign?.expression ?? subjectReferences(resource)[0]?.expression ?? resource.resourceType,
        "an amendment keeps the record's patient: correct a misfiled record by erasure and a new record",
      );
    const version = original.amendedBy.length + 2;
    const recordId = newRecordId();
    const stored = { ...resource, id, meta: { ...resource.meta, versionId: String(version) } } as Resource;
    const recipients = [...this.#node.vault.keysOf(id).keys()]
      .map((r) => recipientKey(this.#node.ledger.directory, r))
      .filter((r): r is RecipientKey => r !== undefined);
    let tx: string;
    try {
      tx = await this.#write(
        'record.amend',
        recordId,
        stored,
        original.patient,
        original.org,
        recipients,
        id,
      );
    } catch (e) {
      // The chain's signer rules refused what the consent decision allowed: a denied write all the same.
      if (e instanceof TxNotPermittedError)
        await this.#log('write', original.patient, [id], 'treatment', {
          allow: false,
          reason: 'role-not-permitted',
          breakGlass: false,
        });
      throw e;
    }
    return { id, recordId, tx, version };
  }

  async #write(
    type: TxType,
    recordId: string,
    resource: Resource,
    patient: string | undefined,
    org: string,
    recipients: readonly RecipientKey[],
    amends?: string,
    claim?: RecordClaim,
  ): Promise<string> {
    const sealed = await sealOne(sealJob(recordId, resource, recipients));
    await this.#node.vault.putSoon({
      blobs: [{ record: recordId, data: sealed.ciphertext }],
      keys: sealed.keys,
    });
    // The write's access event is the record transaction itself (its basis; medical-state.ts).
    const basis = this.session.role === 'patient' ? 'patient-self' : 'author';
    const payload = recordPayload(recordId, sealed, patient, org, amends, basis);
    const tx = await this.#node.submit(
      createTx(this.session.signer, type, payload, { time: this.#node.now }),
    );
    claim?.submitted(tx);
    return tx;
  }

  #recipients(patient: string | undefined, org: string, type: string): RecipientKey[] {
    const n = this.#node;
    return recipientsFor(n.ledger.directory, n.state, n.now, patient, org, type);
  }

  // ---- consent, erasure, audit, research (patient-actions.ts, research-export.ts) ---------------------

  /** Grants consent (patient): on chain, and the keys of records in scope wrapped for the grantee's org. */
  grantConsent(g: ConsentRequest): Promise<string> {
    return grantConsent(this.#node, this.session, g);
  }

  revokeConsent(consentId: string): Promise<string> {
    return revokeConsent(this.#node, this.session, consentId);
  }

  /**
   * Consents the caller may see (a patient's own, or those granted to the caller or their
   * organization; all for admins and auditors), in log order, read as the caller iterates.
   */
  consents(): Iterable<ConsentEntry> {
    return visibleConsents(this.#node, this.session);
  }

  /** A page of {@link consents}: those after the consent `after` (its id; from the first without), at most `limit`. */
  consentsPage(after: string | undefined, limit: number): ConsentEntry[] {
    const out: ConsentEntry[] = [];
    let started = after === undefined;
    for (const c of this.consents()) {
      if (started) {
        out.push(c);
        if (out.length >= limit) break;
      } else started = c.id === after;
    }
    return out;
  }

  /** The consent `id` when the caller may see it. */
  consent(id: string): ConsentEntry | undefined {
    const c = this.#node.state.consents.get(id);
    return c && consentVisibleTo(c, this.session) ? c : undefined;
  }

  /** Access events: a patient's own; any patient's for auditors and admins (by FHIR Patient id). */
  accessLog(patientId?: string, page?: EventPage): readonly AccessEntry[] {
    return accessLog(this.#node, this.session, patientId, page);
  }

  /** One access event by its transaction id, if the caller may see it. */
  accessEvent(txId: string): AccessEntry | undefined {
    return accessEvent(this.#node, this.session, txId);
  }

  /** The stated reason of break-glass event `e`, when the caller holds a key to it (patient, organization, auditor). */
  breakGlassReason(e: AccessEntry): string | undefined {
    const s = this.session;
    const mayRead =
      s.role === 'auditor' ||
      s.role === 'admin' ||
      e.requester === s.keyId ||
      (s.role === 'patient' && e.patient === s.patient);
    return e.note === undefined || !mayRead
      ? undefined
      : openNote(this.#node.vault, e.note, this.#heldKeys());
  }

  /** How many events `accessLog(patientId)` lists in all. */
  accessLogSize(patientId?: string): number {
    return accessLogSize(this.#node, this.session, patientId);
  }

  requestErasure(records: readonly string[] | null): Promise<string> {
    return requestErasure(this.#node, this.session, records);
  }

  /** Approves an erasure request (admin): a record.erase that every node carries out on commit. */
  approveErasure(requestTx: string): Promise<string> {
    return approveErasure(this.#node, this.session, requestTx);
  }

  /**
   * The patients who consented to research (researcher), one at a time: each one's current
   * resources, read for research and logged as an export before it is handed over. Memory holds
   * one patient's resources, however large the cohort.
   */
  async *researchPatients(): AsyncGenerator<{ key: string; resources: Resource[] }> {
    for (const p of researchCohort(this.#node, this.session)) {
      const resources: Resource[] = [];
      for (const original of this.#node.state.recordsOf(p)) {
        if (original.erasedBy) continue;
        const latest = this.#node.state.records.get(original.amendedBy.at(-1) ?? original.id)!;
        try {
          resources.push(this.#open(latest, 'read', { purpose: 'research' }, 'deidentified'));
        } catch (e) {
          if (!(e instanceof AccessDeniedError)) throw e;
        }
      }
      this.#pendingDenial = undefined;
      await this.#log(
        'export',
        p,
        resources.map((r) => r.id ?? ''),
        'research',
        {
          allow: true,
          basis: 'consent',
          breakGlass: false,
        },
      );
      yield { key: p, resources };
    }
  }

  /** Records of the research cohort in all (what {@link researchPatients} would read). */
  researchRecordCount(): number {
    let n = 0;
    for (const p of researchCohort(this.#node, this.session)) n += this.#node.state.countRecordsOf(p);
    return n;
  }

  /** De-identified OMOP CDM rows of the research cohort, one patient at a time (researcher). */
  async *researchExport(): AsyncGenerator<OmopTables> {
    const builder = new OmopBuilder(this.#node.exportSecret);
    for await (const p of this.researchPatients()) yield builder.add(p.key, p.resources);
  }

  // ---- reads -----------------------------------------------------------------------------------------

  /** A record's current version and its full history (oldest first); audited. */
  async getRecord(
    id: string,
    opts: ReadOptions = {},
  ): Promise<{ current: RecordView; history: RecordView[] }> {
    const original = this.#entry(id);
    const purpose = this.#purpose(opts);
    const versions = [original, ...original.amendedBy.map((r) => this.#node.state.records.get(r)!)];
    let views: RecordView[];
    try {
      views = versions.map((v, i) => recordView(v, id, i + 1, this.#open(v, 'read', opts)));
    } catch (e) {
      await this.#flushDenial(e);
      throw e;
    }
    await this.#log(
      'read',
      original.patient,
      versions.map((v) => v.id),
      purpose,
      this.#lastDecision!,
      opts.breakGlass?.reason,
    );
    return { current: views.at(-1)!, history: views };
  }

  /** How many original records a patient has (for choosing how to page a search; not audited, no PHI). */
  recordCount(patientId: string): number {
    return this.#node.state.countRecordsOf(this.#node.blind(stripPatient(patientId)));
  }

  /** The current version of every record of a patient the caller may read; audited (one event). */
  async listRecords(patientId: string, opts: ReadOptions = {}): Promise<RecordView[]> {
    return (await this.listRecordsPage(patientId, opts)).records;
  }

  /**
   * One page of `listRecords`: the patient's original records after `page.after` (a record id), at
   * most `page.limit` of them, each shown in its current version if the caller may read it; `next` is
   * the cursor of the following page when there may be one. Audited as one event per page. A page
   * whose records the caller may read none of throws AccessDeniedError, unless `denialIsEmpty` (a scan
   * that already found records goes on): then it is logged and answered empty.
   */
  async listRecordsPage(
    patientId: string,
    opts: ReadOptions = {},
    page: Page = {},
    denialIsEmpty = false,
  ): Promise<{ records: RecordView[]; next?: string }> {
    const patient = this.#node.blind(stripPatient(patientId));
    const purpose = this.#purpose(opts);
    const out: RecordView[] = [];
    const read: string[] = [];
    let denied: Decision | undefined;
    let decision: Decision | undefined;
    const originals = this.#node.state.recordsOf(patient, page);
    for (const original of originals) {
      if (original.erasedBy) continue;
      const latestId = original.amendedBy.at(-1) ?? original.id;
      const latest = this.#node.state.records.get(latestId)!;
      try {
        const r = this.#open(latest, 'read', opts);
        out.push(recordView(latest, original.id, original.amendedBy.length + 1, r));
        read.push(latest.id);
        decision = this.#lastDecision;
      } catch (e) {
        if (!(e instanceof AccessDeniedError)) throw e;
        denied = this.#lastDecision;
      }
    }
    this.#pendingDenial = undefined;
    if (read.length > 0) await this.#log('read', patient, read, purpose, decision!, opts.breakGlass?.reason);
    else if (denied) {
      await this.#log('read', patient, [], purpose, denied);
      if (!denialIsEmpty)
        throw new AccessDeniedError(denied.allow ? 'denied' : denied.reason, { patient: patientId });
    }
    const full = page.limit !== undefined && originals.length === page.limit;
    return full ? { records: out, next: originals.at(-1)!.id } : { records: out };
  }

  /**
   * The patients whose Patient resource the caller may read (for staff to find a patient), with
   * name, birth date and gender; `query` filters by name or id. One audited read event per patient shown.
   * A Patient record is recognised without decrypting anything: its record id is the FHIR Patient id,
   * whose blind id is the record's patient.
   */
  async findPatients(query?: string, limit = 50): Promise<PatientSummary[]> {
    const q = query?.trim().toLowerCase();
    const out: PatientSummary[] = [];
    const self = this.session.role === 'patient' ? this.session.patient : undefined;
    for (const e of this.#node.patientRecords()) {
      if (out.length >= limit) break;
      if (self !== undefined && e.patient !== self) continue;
      const latest = this.#node.state.records.get(e.amendedBy.at(-1) ?? e.id)!;
      let r: Resource;
      try {
        r = this.#open(latest, 'read', { purpose: 'treatment' });
      } catch (err) {
        if (err instanceof AccessDeniedError || err instanceof RecordErasedError) continue;
        throw err;
      }
      if (r.resourceType !== 'Patient') continue;
      const name = r.name?.[0];
      const joined = [...(name?.given ?? []), name?.family ?? ''].join(' ').trim();
      const display = joined.length > 0 ? joined : (name?.text ?? e.id);
      if (q && !display.toLowerCase().includes(q) && !e.id.toLowerCase().includes(q)) continue;
      out.push({
        id: e.id,
        name: display,
        ...(r.birthDate ? { birthDate: r.birthDate } : {}),
        ...(r.gender ? { gender: r.gender } : {}),
      });
      await this.#log('read', e.patient, [latest.id], 'treatment', this.#lastDecision!);
    }
    this.#pendingDenial = undefined;
    return out;
  }

  #lastDecision: Decision | undefined;
  #pendingDenial: { entry: RecordEntry; decision: Decision; purpose: Purpose } | undefined;

  /**
   * Decides, then unwraps and decrypts a record version; throws AccessDeniedError (logged by the
   * caller). A read for research is allowed only for a de-identified export (`form`).
   */
  #open(
    entry: RecordEntry,
    action: 'read' | 'write',
    opts: ReadOptions,
    form: 'identified' | 'deidentified' = 'identified',
  ): Resource {
    const purpose = this.#purpose(opts);
    if (entry.erasedBy) {
      this.#lastDecision = { allow: false, reason: 'record-erased', breakGlass: false };
      this.#pendingDenial = { entry, decision: this.#lastDecision, purpose };
      throw new RecordErasedError(entry.id, entry.erasedBy);
    }
    const key = recordKey(this.#node.vault, entry.id, this.#heldKeys());
    const resource = key ? openRecord(this.#node.vault, entry.id, entry.blob, key) : undefined;
    const meta = resource
      ? recordMeta(entry.id, entry.patient, entry.org, entry.author, resource)
      : { id: entry.id, patient: entry.patient ?? '', org: entry.org, author: entry.author, type: 'unknown' };
    const decided = this.#decide(meta, action, purpose, opts.breakGlass);
    const d: Decision =
      decided.allow && purpose === 'research' && form === 'identified'
        ? { allow: false, reason: 'deidentified-only', breakGlass: false }
        : decided;
    this.#lastDecision = d;
    if (!d.allow || !resource) {
      this.#pendingDenial = { entry, decision: d, purpose };
      throw new AccessDeniedError(d.allow ? 'no key held for this record' : d.reason, { record: entry.id });
    }
    return resource;
  }

  async #flushDenial(e: unknown, action: AccessAction = 'read'): Promise<void> {
    const p = this.#pendingDenial;
    this.#pendingDenial = undefined;
    if (p && (e instanceof AccessDeniedError || e instanceof RecordErasedError))
      await this.#log(action, p.entry.patient, [p.entry.id], p.purpose, p.decision);
  }

  #decide(
    record: RecordMeta,
    action: 'read' | 'write',
    purpose: Purpose,
    breakGlass?: { reason: string },
    chart?: { org: string | undefined },
  ): Decision {
    return evaluate({
      consents: record.patient ? this.#node.state.consentsOf(record.patient) : [],
      policy: this.#node.policy,
      requester: this.requester,
      record,
      purpose,
      now: this.#node.now,
      action,
      ...(breakGlass ? { breakGlass } : {}),
      ...(chart ? { chart } : {}),
    });
  }

  async #require(d: Decision, meta: RecordMeta, action: AccessAction, purpose: Purpose): Promise<void> {
    if (d.allow) return;
    await this.#log(action, meta.patient || undefined, [], purpose, d);
    throw new AccessDeniedError(d.reason, { record: meta.id });
  }

  /** The X25519 keys this node may use for the caller: their own, then their organization's. */
  #heldKeys(): { recipient: Recipient; key: X25519KeyPair }[] {
    const held: { recipient: Recipient; key: X25519KeyPair }[] = [
      { recipient: `key:${this.session.keyId}`, key: this.session.encryption },
    ];
    for (const org of [this.session.org, this.#node.org, ...this.#node.hostedOrgs()]) {
      const k = org ? this.#node.orgKey(org) : undefined;
      if (k && org && !held.some((h) => h.recipient === `org:${org}`))
        held.push({ recipient: `org:${org}`, key: k });
    }
    return held;
  }

  #entry(id: string): RecordEntry {
    const e = this.#node.state.records.get(id);
    if (!e || e.amends !== undefined) throw new NotFoundError('record', id);
    return e;
  }

  /**
   * The chart a new record goes into: none for a record of no patient; else its organization (that
   * of the patient's Patient record, committed or being written; undefined for the Patient record
   * itself). FhirValidationError (422) when the subject is not a patient of this node.
   */
  #chartOf(r: Resource & { id: string }): { org: string | undefined } | undefined {
    const foreign = foreignSubject(r);
    if (foreign)
      throw invalidSubject(
        foreign.expression,
        `the subject must be a relative Patient/<id> reference to a patient of this node, not "${foreign.reference}"`,
      );
    const ref = patientReference(r);
    if (ref === undefined) return undefined;
    const patientId = stripPatient(ref);
    if (r.resourceType === 'Patient') return { org: undefined };
    const org = this.#chartOrg(patientId);
    if (org === undefined)
      throw invalidSubject(
        subjectReferences(r)[0]?.expression ?? r.resourceType,
        `no patient ${patientId} on this node`,
      );
    return { org };
  }

  /** The organization holding patient `patientId`'s Patient record (committed or being written). */
  #chartOrg(patientId: string): string | undefined {
    const e = this.#node.state.records.get(patientId);
    if (e && !e.erasedBy && e.patient === this.#node.blind(patientId)) return e.org;
    return this.#node.recordClaims.pendingOrg(patientId);
  }

  #patientOf(r: Resource): string | undefined {
    const ref = patientReference(r);
    return ref ? this.#node.blind(stripPatient(ref)) : undefined;
  }

  #purpose(opts: ReadOptions): Purpose {
    if (opts.breakGlass) return 'emergency';
    if (opts.purpose) return opts.purpose;
    return this.session.role === 'researcher' ? 'research' : 'treatment';
  }

  /** Writes an access event on the chain, signed by the node. */
  async #log(
    action: AccessAction,
    patient: string | undefined,
    records: readonly string[],
    purpose: Purpose,
    d: Decision,
    breakGlassReason?: string,
  ): Promise<void> {
    // The stated reason of a break-glass access, sealed for the patient, the organization and auditors.
    const note =
      d.allow && d.breakGlass && breakGlassReason !== undefined
        ? await sealNote(
            this.#node.vault,
            this.#node.ledger.directory,
            breakGlassReason,
            patient,
            this.session.org,
          )
        : undefined;
    const payload = {
      requester: this.session.keyId,
      ...(patient ? { patient } : {}),
      records: [...records],
      action,
      purpose,
      outcome: d.allow ? 'allow' : 'deny',
      reason: d.allow ? d.basis : d.reason,
      breakGlass: d.breakGlass,
      ...(note ? { note } : {}),
    } satisfies Json;
    await this.#node.ledger.submit(
      createTx(this.#node.signerOfNode(), 'access.log', payload, { time: this.#node.now }),
      { signedHere: true },
    );
    this.#node.nudge();
  }
}
