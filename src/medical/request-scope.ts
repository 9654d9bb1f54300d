/**
 * @module
 * The handle the API gets per request: the session's scoped ledger whose writes resolve once they are
 * committed in a block (with where and when), plus the per-user services a route needs (API tokens,
 * access requests). Routes never settle a transaction or read node state themselves.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Purpose } from '../core/consent.ts';
import { ArgumentValueError, NotFoundError, RoleForbiddenError } from '../core/errors.ts';
import type { ErasureRequestEntry } from '../state-machine/medical-state.ts';
import type { AccessRequest, AccessRequests } from './access-requests.ts';
import type { ApiTokenInfo, ApiTokens } from './api-tokens.ts';
import type { NodeServices, Session } from './node-services.ts';
import type { ConsentRequest } from './patient-actions.ts';
import { SessionScope } from './session-scope.ts';
import type { ReadOptions, WriteResult } from './session-scope.ts';

/** What a request scope uses of the node beyond what the scoped ledger does (MedicalNode has it all). */
export interface RequestServices extends NodeServices {
  readonly tokens: ApiTokens;
  readonly accessRequests: AccessRequests;
  hasPatient(patient: string): boolean;
}

/** A committed record write: the record's block height and the time the chain gives it. */
export interface CommittedWrite extends WriteResult {
  readonly height: number | undefined;
  readonly time: number;
}

/** One record of a batch write: created, or for `PUT` amended when it exists (created with its id otherwise). */
export interface RecordWrite {
  readonly method: 'POST' | 'PUT';
  readonly resource: Resource;
}

export type BatchOutcome =
  | { readonly ok: true; readonly write: CommittedWrite; readonly created: boolean }
  | { readonly ok: false; readonly error: unknown };

export class RequestScope extends SessionScope {
  readonly #node: RequestServices;

  constructor(node: RequestServices, session: Session) {
    super(node, session);
    this.#node = node;
  }

  override async addRecord(
    input: unknown,
    opts: Pick<ReadOptions, 'breakGlass'> = {},
  ): Promise<CommittedWrite> {
    return this.#committed(await super.addRecord(input, opts));
  }

  override async amendRecord(id: string, input: unknown): Promise<CommittedWrite> {
    return this.#committed(await super.amendRecord(id, input));
  }

  /** FHIR update: amends record `id` when it exists, else creates it with that id. */
  async putRecord(id: string, input: unknown): Promise<CommittedWrite & { readonly created: boolean }> {
    const created = !this.#node.state.records.has(id);
    const w = created ? await this.addRecord(input) : await this.amendRecord(id, input);
    return { ...w, created };
  }

  /**
   * Writes records in order, each submitted before any is awaited so that they share blocks, and
   * resolves once all that were written are committed. With `stopAtError` (a FHIR transaction) the
   * first failure ends the batch: the outcomes end with it; earlier writes stay (append-only).
   */
  async writeEach(entries: readonly RecordWrite[], stopAtError: boolean): Promise<BatchOutcome[]> {
    const submitted: ({ w: WriteResult; created: boolean } | { error: unknown })[] = [];
    for (const e of entries) {
      const id = e.resource.id!;
      const amend = e.method === 'PUT' && this.#node.state.records.has(id);
      try {
        const w = amend ? await super.amendRecord(id, e.resource) : await super.addRecord(e.resource);
        submitted.push({ w, created: !amend });
      } catch (error) {
        submitted.push({ error });
        if (stopAtError) break;
      }
    }
    return Promise.all(
      submitted.map(async (s): Promise<BatchOutcome> =>
        'error' in s
          ? { ok: false, error: s.error }
          : { ok: true, write: await this.#committed(s.w), created: s.created },
      ),
    );
  }

  override async grantConsent(g: ConsentRequest): Promise<string> {
    return this.#settled(await super.grantConsent(g));
  }

  override async revokeConsent(consentId: string): Promise<string> {
    return this.#settled(await super.revokeConsent(consentId));
  }

  override async requestErasure(records: readonly string[] | null): Promise<string> {
    return this.#settled(await super.requestErasure(records));
  }

  override async approveErasure(requestTx: string): Promise<string> {
    return this.#settled(await super.approveErasure(requestTx));
  }

  /** Erasure requests the caller may see: their own (patient), all (admin). */
  erasureRequests(): ErasureRequestEntry[] {
    const s = this.session;
    if (s.role !== 'admin') this.#requireRole('patient');
    return [...this.#node.state.erasureRequests.values()].filter(
      (r) => s.role === 'admin' || r.patient === s.patient,
    );
  }

  // ---- API tokens (the caller's own) -----------------------------------------------------------------

  apiTokens(): ApiTokenInfo[] {
    return this.#node.tokens.list(this.session.keyId);
  }

  /** A new token for the caller; the token itself is in the answer only. */
  createApiToken(
    name: string,
    opts: { now: number; expires?: number },
  ): { token: string; info: ApiTokenInfo } {
    return this.#node.tokens.create(this.session, name, opts);
  }

  revokeApiToken(id: string, now: number): ApiTokenInfo {
    return this.#node.tokens.revoke(this.session.keyId, id, now);
  }

  // ---- access requests (a doctor asks, the patient decides) ------------------------------------------

  /** A doctor asks patient `patientId` (FHIR id) for access. */
  requestAccess(patientId: string, purpose: Purpose, reason: string): AccessRequest {
    this.#requireRole('doctor');
    const patient = this.#node.blind(patientId);
    if (!this.#node.hasPatient(patient)) throw new NotFoundError('patient', patientId);
    return this.#node.accessRequests.create({
      requester: this.session.keyId,
      patient,
      subject: patientId,
      purpose,
      reason,
      now: this.#node.now,
    });
  }

  /** Requests made to the caller (patient) or by the caller (doctor), newest first. */
  accessRequests(): AccessRequest[] {
    const s = this.session;
    if (s.role === 'patient') return this.#node.accessRequests.forPatient(s.patient ?? '');
    this.#requireRole('doctor');
    return this.#node.accessRequests.byRequester(s.keyId);
  }

  /** Approves a request made to the caller (patient): a consent for the purpose asked, committed. */
  async approveAccessRequest(id: string, validTo: number): Promise<AccessRequest> {
    this.#requireRole('patient');
    const r = this.#node.accessRequests.pending(id, this.session.patient);
    if (!(validTo > this.#node.now)) throw new ArgumentValueError('validTo', 'must be in the future');
    if (!this.#node.ledger.directory.active(r.requester))
      throw new ArgumentValueError('id', 'the requesting doctor is no longer active');
    const tx = await this.grantConsent({
      grantee: { kind: 'practitioner', keyId: r.requester },
      purpose: r.purpose,
      validTo,
    });
    return this.#node.accessRequests.decide(r.id, r.patient, 'approved', this.#node.now, tx);
  }

  declineAccessRequest(id: string): AccessRequest {
    this.#requireRole('patient');
    return this.#node.accessRequests.decide(id, this.session.patient ?? '', 'declined', this.#node.now);
  }

  #requireRole(role: Session['role']): void {
    if (this.session.role !== role) throw new RoleForbiddenError(this.session.role, [role]);
  }

  async #settled(tx: string): Promise<string> {
    await this.#node.producer.settle(tx);
    return tx;
  }

  async #committed(w: WriteResult): Promise<CommittedWrite> {
    await this.#node.producer.settle(w.tx);
    const e = this.#node.state.records.get(w.recordId);
    return { ...w, height: e?.height, time: e?.time ?? this.#node.now };
  }
}
