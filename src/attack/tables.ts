/**
 * @module
 * Plain-text tables of an attack lab report for the terminal. Locations only (heights, transaction
 * indexes, kinds): nothing read from a record is ever printed.
 */
import type { AttackReport } from './report.ts';
import type { Located } from './rewrite.ts';
import { humanCount, humanDuration } from './units.ts';

/** Columns padded to their widest cell. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

const ms = (v: number | undefined): string => (v === undefined ? '—' : humanDuration(v / 1000));

/** h:mm:ss.ffffff, as Python's timedelta prints it (as `mine-demo` does). */
export function timedelta(msValue: number): string {
  const us = Math.round(msValue * 1000);
  const s = Math.floor(us / 1_000_000);
  const frac = String(us % 1_000_000).padStart(6, '0');
  return `${String(Math.floor(s / 3600))}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.${frac}`;
}

export function where(p: Located): string {
  return `${p.tx === undefined ? `height ${String(p.height)}` : `height ${String(p.height)} tx ${String(p.tx)}`}: ${p.kind}`;
}

function mining(m: NonNullable<AttackReport['scenarios']['mining']>): string[] {
  return [
    `MINING COST VS DIFFICULTY: measured ${humanCount(m.hashesPerSec)} block-hash attempts/s (core/pow.ts mine)`,
    table(
      ['difficulty', 'expected attempts', 'mean attempts', 'runs', 'mean time', 'expected time', ''],
      m.rows.map((r) => [
        String(r.difficulty),
        humanCount(r.expectedAttempts),
        r.meanAttempts === undefined ? '—' : humanCount(r.meanAttempts),
        String(r.runs),
        ms(r.meanMs),
        ms(r.expectedMs),
        r.measured ? (r.valid ? 'measured' : 'measured, INVALID HASH') : 'extrapolated',
      ]),
    ),
    '',
    `Seed report demo on a real ledger (difficulty ${String(m.demo.difficultyBits)} bits = ${String(m.demo.difficultyBits / 4)} leading zero hex digit(s)); chain verifies: ${m.demo.verified ? 'yes' : 'NO'}`,
    table(
      ['index', 'difficulty', 'hash', 'nonce', 'attempts', 'elapsed'],
      m.demo.blocks.map((b) => [
        String(b.index),
        String(b.difficulty),
        b.hash,
        String(b.nonce),
        String(b.attempts),
        timedelta(b.elapsedMs),
      ]),
    ),
  ];
}

function rewrite(r: NonNullable<AttackReport['scenarios']['rewrite']>): string[] {
  const a = r.attack;
  const v = r.verdict;
  const depths = [...new Set(r.extrapolated.map((c) => c.depth))];
  const diffs = [...new Set(r.extrapolated.map((c) => c.difficulty))];
  return [
    `HISTORY REWRITE: ${r.source === 'copy' ? 'snapshot of the data directory' : 'fresh chain'}, height ${String(r.chain.height)} (${String(r.chain.txs)} transactions, minimum difficulty ${String(r.chain.minDifficulty)})`,
    `The attacker changed tx ${String(a.tx)} (${a.txType}) of block ${String(a.height)}, recomputed the Merkle and log roots and re-mined blocks ${String(a.height)}..${String(a.head)} (${String(a.blocks)} blocks, ${humanCount(a.attempts)} attempts, ${ms(a.workMs)}) with their own key.`,
    `Verifier verdict: ${v.ok ? 'ACCEPTED (the rewrite went unnoticed)' : `REJECTED, first problem at height ${String(v.firstHeight)}`}`,
    ...v.problems.map((p) => `  ${where(p)}`),
    `  signed head witness (head.json): ${v.witness}`,
    r.insider
      ? `Control, an insider holding the node key: ${r.insider.verdict.ok ? 'verifies clean' : `${String(r.insider.verdict.problems.length)} problems (${r.insider.verdict.problems.map(where).join('; ')})`}${r.insider.resignedTx ? ' (the node had signed the changed transaction too)' : ''}. Proof-of-work does not protect history; the keys do.`
      : 'Control with the node key: skipped (the node key is not readable)',
    r.finality,
    '',
    'Cost measured (mean of runs, mining and signing):',
    table(
      ['difficulty', 'depth', 'time', 'attempts'],
      r.grid.map((c) => [
        String(c.difficulty),
        String(c.depth),
        c.measured ? ms(c.ms) : `${ms(c.ms)} (over budget: extrapolated)`,
        c.attempts === undefined ? '—' : humanCount(c.attempts),
      ]),
    ),
    '',
    `Cost extrapolated at ${humanCount(r.hashesPerSec)} hashes/s + ${ms(r.overheadMsPerBlock)} per block:`,
    table(
      ['difficulty', ...depths.map((d) => `${String(d)} block${d === 1 ? '' : 's'}`)],
      diffs.map((d) => [
        String(d),
        ...depths.map((depth) => ms(r.extrapolated.find((c) => c.difficulty === d && c.depth === depth)?.ms)),
      ]),
    ),
  ];
}

function bruteforce(b: NonNullable<AttackReport['scenarios']['bruteforce']>): string[] {
  const p = b.password;
  const l = b.limiter;
  return [
    `BRUTE FORCE: scrypt N=${String(b.kdf.N)} r=${String(b.kdf.r)} p=${String(b.kdf.p)} (${b.kdf.source})`,
    `password verifier (Accounts.login): ${humanCount(p.sequential.perSec)} guesses/s one at a time, ${humanCount(p.parallel.perSec)}/s with ${String(p.parallel.guesses)} in flight; ${String(p.sequential.rejected + p.parallel.rejected)}/${String(p.sequential.guesses + p.parallel.guesses)} rejected (ML_ERR_AUTH_FAILED), right password ${p.control ? 'accepted' : 'NOT accepted'}`,
    `API-token check (ApiTokens.resolve, id known): ${humanCount(b.token.perSec)} guesses/s; ${String(b.token.rejected)}/${String(b.token.guesses)} rejected, real token ${b.token.control ? 'accepted' : 'NOT accepted'}`,
    `login limiter (${String(l.perAccount)} failures per account, ${String(l.perAddress)} per address, per ${humanDuration(l.windowMs / 1000)}): ${String(l.oneAddress.guessesAllowed)} guesses in ${String(l.oneAddress.simulatedHours)} h simulated from one address, ${String(l.rotatingAddresses.guessesAllowed)} from rotating addresses = ${humanCount(Math.max(l.oneAddress.perSec, l.rotatingAddresses.perSec))}/s`,
    table(
      ['key space', 'bits', 'attack', 'guesses/s', 'expected time', 'time to exhaust', 'years to exhaust'],
      b.keySpaces.flatMap((row) =>
        row.attacks.map((a) => [
          row.space,
          row.bits.toFixed(1),
          a.attack,
          humanCount(a.guessesPerSec),
          a.expected.human,
          a.exhaust.human,
          a.exhaust.years.toExponential(2),
        ]),
      ),
    ),
    ...b.notes.map((n) => `note: ${n}`),
  ];
}

function forgery(f: NonNullable<AttackReport['scenarios']['forgery']>): string[] {
  const c = f.controls;
  return [
    `FORGERY: ${String(f.attempted)} attempted, ${String(f.rejected)} rejected, ${String(f.asExpected)} with the expected code; controls: genuine tx ${c.genuineTxAccepted ? 'accepted' : 'NOT accepted'}, genuine proof ${c.genuineProofVerifies ? 'verifies' : 'DOES NOT verify'}, genuine head signature ${c.genuineHeadSignatureVerifies ? 'verifies' : 'DOES NOT verify'}`,
    table(
      ['category', 'attack', 'expected', 'got'],
      f.attempts.map((a) => [
        a.category,
        a.attack,
        a.expected,
        a.got === a.expected ? a.got : `${a.got} (!)`,
      ]),
    ),
    `Ed25519 signature forgery: about 2^${String(f.signatureForgery.securityBits)} operations; at ${humanCount(f.signatureForgery.verifiesPerSec)} verifications/s that is ${f.signatureForgery.expected.human}`,
  ];
}

function tamper(t: NonNullable<AttackReport['scenarios']['tamper']>): string[] {
  return [
    `TAMPER DETECTION: ${t.source === 'copy' ? 'snapshot of the data directory' : 'fresh node'}, height ${String(t.chain.height)}, integrity monitor every ${String(t.intervalMs)} ms${t.baselineOk ? '' : ' (BASELINE NOT CLEAN: no edits made)'}`,
    ...(t.fallback ? [`note: ${t.fallback}`] : []),
    table(
      ['edit', 'target', 'detected after', 'runs', 'reported', 'located', 'healthy again after'],
      t.cases.map((c) => [
        c.edit,
        where({
          height: c.target.height,
          ...(c.target.tx === undefined ? {} : { tx: c.target.tx }),
          kind: c.expectedKind,
        }),
        c.detected ? ms(c.detectedMs) : 'NOT DETECTED',
        String(c.monitorRuns),
        c.reported.map(where).join('; '),
        c.located ? 'yes' : 'NO',
        c.restored ? ms(c.restoredMs) : 'no',
      ]),
    ),
  ];
}

/** Every scenario of the report as text, in the lab's order. */
export function reportText(r: AttackReport): string {
  const s = r.scenarios;
  const parts: string[][] = [];
  if (s.mining) parts.push(mining(s.mining));
  if (s.rewrite) parts.push(rewrite(s.rewrite));
  if (s.bruteforce) parts.push(bruteforce(s.bruteforce));
  if (s.forgery) parts.push(forgery(s.forgery));
  if (s.tamper) parts.push(tamper(s.tamper));
  return `${parts.map((p) => p.join('\n')).join('\n\n')}\n`;
}
