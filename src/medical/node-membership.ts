/**
 * @module
 * Consortium membership as this node takes part in it: the member nodes, the proposals to add or
 * remove one, and this node's own proposals and approvals (signed by the node key, committed before
 * they resolve). Who may act for the node is the caller's to check (an admin of a hosted organization).
 */
import type { Json } from '../core/canonical-json.ts';
import { ArgumentValueError, NotFoundError } from '../core/errors.ts';
import { quorumOf } from '../core/vote.ts';
import type { ChainNode } from '../chain/chain-node.ts';
import type { BlockProducer } from '../chain/block-producer.ts';
import type { ConsortiumMember, ConsortiumStatus } from '../consortium/consortium.ts';
import { memberNodes } from '../consortium/consortium-members.ts';
import type { MemberNode } from '../consortium/consortium-members.ts';
import type { MemberProposal } from '../state-machine/membership.ts';

export type ProposalBody =
  | { action: 'add'; publicKey: string; org: string; name: string; url: string }
  | { action: 'remove'; keyId: string };

export class NodeMembership {
  readonly #ledger: ChainNode;
  readonly #producer: BlockProducer;
  readonly #consortium: ConsortiumMember | undefined;
  readonly #submitAsNode: (type: 'member.propose' | 'member.approve', payload: Json) => Promise<string>;

  constructor(
    ledger: ChainNode,
    producer: BlockProducer,
    consortium: ConsortiumMember | undefined,
    submitAsNode: (type: 'member.propose' | 'member.approve', payload: Json) => Promise<string>,
  ) {
    this.#ledger = ledger;
    this.#producer = producer;
    this.#consortium = consortium;
    this.#submitAsNode = submitAsNode;
  }

  /** Whether this node orders blocks with a consortium (else it is solo). */
  get isMember(): boolean {
    return this.#consortium !== undefined;
  }

  /** Solo, or the consortium's proposer, members, quorum, final height and rejected blocks. */
  status(): ConsortiumStatus | { ordering: 'solo'; finalHeight: number } {
    return this.#consortium?.status() ?? { ordering: 'solo', finalHeight: this.#ledger.height };
  }

  /** Member node signatures a proposal needs. */
  quorum(): number {
    return quorumOf(this.#ledger.directory.nodeKeys().size);
  }

  members(): (MemberNode & { self: boolean })[] {
    const self = this.#ledger.signer.keyId;
    return memberNodes(this.#consortium?.genesis.members ?? [], this.#ledger.directory).map((m) => ({
      ...m,
      self: m.keyId === self,
    }));
  }

  proposals(): Iterable<MemberProposal> {
    return this.#ledger.directory.proposals();
  }

  /** Proposes a change signed by this node; resolves with the proposal once committed. */
  async propose(body: ProposalBody): Promise<MemberProposal> {
    this.#requireMember();
    const id = await this.#submitAsNode('member.propose', body);
    await this.#producer.settle(id);
    const made = this.#ledger.directory.proposal(id);
    if (!made) throw new NotFoundError('proposal', id);
    return made;
  }

  /** Approves proposal `id`, signed by this node; resolves with the proposal as it was, once committed. */
  async approve(id: string): Promise<MemberProposal> {
    this.#requireMember();
    const existing = this.#ledger.directory.proposal(id);
    if (!existing) throw new NotFoundError('proposal', id);
    await this.#producer.settle(await this.#submitAsNode('member.approve', { proposal: id }));
    return existing;
  }

  #requireMember(): void {
    if (!this.#consortium) throw new ArgumentValueError('ordering', 'this node is not a consortium member');
  }
}
