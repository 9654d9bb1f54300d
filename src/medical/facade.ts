/**
 * @module
 * The one door of the domain for the HTTP API (lint holds src/api to this module, the integrity
 * monitor and the error registry): the medical node as a server may use it, the per-request scoped
 * handle, and the types their answers carry. Internals (the chain engine, the vault, the medical
 * state, the block producer) are not reachable through it.
 */
import type { MedicalNode } from './medical-node.ts';

/** The medical node as the API sees it: no chain engine, vault, state or producer. */
export type MedicalFacade = Pick<
  MedicalNode,
  | 'org'
  | 'now'
  | 'chain'
  | 'replicas'
  | 'membership'
  | 'hostsOrg'
  | 'hostedOrgs'
  | 'blind'
  | 'hasPatient'
  | 'patientIdOf'
  | 'recordTx'
  | 'account'
  | 'accountsPage'
  | 'createOrganization'
  | 'createUser'
  | 'revokeUser'
  | 'approveBinding'
  | 'declineBinding'
  | 'pendingBindings'
  | 'boundLogin'
  | 'loginAsync'
  | 'tokenSession'
  | 'tokenActive'
  | 'forRequest'
  | 'cacheReport'
  | 'produceBlocks'
  | 'commit'
  | 'close'
>;

export type { MedicalNode } from './medical-node.ts';
export type { Session } from './node-services.ts';
export type { RequestScope, CommittedWrite, RecordWrite, BatchOutcome } from './request-scope.ts';
export type { ReadOptions, RecordView, WriteResult } from './session-scope.ts';
export type { ConsentRequest } from './patient-actions.ts';
export type { EventPage } from './access-log.ts';
export type { AccessRequest } from './access-requests.ts';
export type { AccountInfo } from './accounts.ts';
export type { TxProof, DirectoryReads } from './chain-info.ts';
export type { ProposalBody } from './node-membership.ts';
export { MAX_REPLICA_BLOCKS } from './replica-source.ts';
export { startSealPool } from './seal-pool.ts';
export type { AccessEntry, ConsentEntry, ErasureRequestEntry } from '../state-machine/medical-state.ts';
export type { MemberProposal } from '../state-machine/membership.ts';
export type { Role } from '../state-machine/payloads.ts';
export { PURPOSES } from '../core/consent.ts';
export type { Grantee, Purpose } from '../core/consent.ts';
export { newRecordId } from '../core/record-id.ts';
export { LoginLimiter } from '../core/login-limiter.ts';
export type { LimiterOptions } from '../core/login-limiter.ts';
export { threadHeaps } from '../runtime/thread-heaps.ts';
export { apiTokenId } from './api-tokens.ts';
