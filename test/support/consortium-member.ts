/**
 * A consortium member without the medical layer (ledger, block producer, membership), as the
 * consortium tests and the consortium benchmark run it; servers use MedicalNode.open.
 */
import { BlockProducer } from '../../src/chain/block-producer.ts';
import { ConsortiumMember } from '../../src/consortium/consortium.ts';
import type { ConsortiumOptions } from '../../src/consortium/consortium.ts';
import { readMember } from '../../src/consortium/consortium-genesis.ts';
import { ChainNode } from '../../src/chain/chain-node.ts';
import { startSigPool } from '../../src/runtime/sig-pool.ts';

export interface BareMember {
  readonly dir: string;
  readonly ledger: ChainNode;
  readonly producer: BlockProducer;
  readonly member: ConsortiumMember;
}

/** Joins the chain from the member directory `dir` and takes part (votes, campaigns). */
export async function startMember(dir: string, opts: ConsortiumOptions = {}): Promise<BareMember> {
  await startSigPool(); // as a node does at start-up (MedicalNode.open)
  const { genesis } = readMember(dir);
  const member = ConsortiumMember.connect(genesis, opts);
  const ledger = await ChainNode.join(dir, genesis.block, { orderer: member.makeOrderer });
  const producer = new BlockProducer(ledger, () => undefined);
  await member.attach(ledger, producer);
  return { dir, ledger, producer, member };
}

/** Closes a member started by {@link startMember}. */
export async function stopMember(m: BareMember): Promise<void> {
  await m.member.close();
  await m.ledger.close();
  m.member.disconnect();
}
