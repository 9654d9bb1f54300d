/**
 * @module
 * Offline check of a consortium chain's finality certificates (`medledger verify` on a member's data
 * directory): every block after genesis up to the last final one must carry a certificate in which a
 * quorum of distinct member node keys (the members of that height: membership changes by quorum)
 * signed valid votes for exactly that block. Blocks after the
 * last certified one are reported as not yet final (votes still arriving), not as problems. The
 * genesis block comes from the genesis file every member holds, so it needs no certificate.
 */
import { checkCertificateJson } from '../core/vote.ts';
import type { Store } from '../store/store.ts';

export interface FinalityReport {
  readonly ok: boolean;
  readonly certificates: number;
  /** Highest block with a valid certificate (0: only genesis). */
  readonly finalHeight: number;
  /** Blocks after the last certified one. */
  readonly notYetFinal: number;
  readonly problems: readonly { height: number; detail: string }[];
}

export function verifyFinality(
  store: Store,
  membersAt: (height: number) => ReadonlySet<string>,
): FinalityReport {
  const head = store.head()?.height ?? -1;
  const problems: { height: number; detail: string }[] = [];
  const missing: number[] = [];
  let certificates = 0;
  let finalHeight = 0;
  for (let from = 1; from <= head; from += 512) {
    for (const b of store.blocks(from, Math.min(head + 1, from + 512))) {
      if (b.certificate === undefined) {
        missing.push(b.height);
        continue;
      }
      const why = checkCertificateJson(b.certificate, b.height, b.hash, membersAt(b.height));
      if (why) problems.push({ height: b.height, detail: why });
      else {
        certificates++;
        finalHeight = b.height;
      }
    }
  }
  for (const h of missing)
    if (h < finalHeight)
      problems.push({ height: h, detail: 'no finality certificate below the final height' });
  const notYetFinal = missing.filter((h) => h > finalHeight).length;
  problems.sort((a, b) => a.height - b.height);
  return { ok: problems.length === 0, certificates, finalHeight, notYetFinal, problems };
}
