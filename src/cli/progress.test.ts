import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressBar } from './progress.ts';

function sink(isTTY: boolean): { out: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const out = {
    isTTY,
    write: (s: string) => {
      text += s;
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { out, text: () => text };
}

describe('progressBar', () => {
  it('writes a line per tenth when stderr is not a terminal', () => {
    const s = sink(false);
    const bar = progressBar('block', s.out);
    for (let h = 0; h <= 1000; h += 50) bar(h, 1000);
    const lines = s.text().trimEnd().split('\n');
    assert.equal(lines.length, 11);
    assert.equal(lines[0], 'block   0 % (0 of 1000)');
    assert.equal(lines.at(-1), 'block 100 % (1000 of 1000)');
  });

  it('redraws one bar in place on a terminal and ends the line when done', () => {
    const s = sink(true);
    const bar = progressBar('block', s.out);
    bar(500, 1000);
    bar(1000, 1000);
    assert.equal(
      s.text(),
      `\r[${'#'.repeat(15)}${'.'.repeat(15)}] block  50 % (500 of 1000)\r[${'#'.repeat(30)}] block 100 % (1000 of 1000)\n`,
    );
  });
});
