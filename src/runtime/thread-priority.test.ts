import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { BACKGROUND_NICE, lowerThisThread } from './thread-priority.ts';

/** The nice value of the calling thread, from its /proc stat line (field 19). */
const niceHere = (): number =>
  Number(readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ')[16]);

describe('lowerThisThread', { skip: process.platform !== 'linux' && 'Linux threads only' }, () => {
  it('lowers the priority of the thread that calls it and of no other', async () => {
    const before = niceHere();
    const url = new URL('./thread-priority.ts', import.meta.url).href;
    const w = new Worker(
      `import { readFileSync } from 'node:fs';
       import { parentPort } from 'node:worker_threads';
       const { lowerThisThread } = await import(${JSON.stringify(url)});
       const nice = () => Number(readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ')[16]);
       const was = nice();
       const ok = lowerThisThread();
       parentPort.postMessage({ was, ok, now: nice() });`,
      { eval: true },
    );
    const m = await new Promise<{ was: number; ok: boolean; now: number }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    assert.equal(m.ok, true);
    assert.equal(m.was, before);
    assert.equal(m.now, BACKGROUND_NICE);
    assert.equal(niceHere(), before, 'the calling thread keeps its priority');
  });

  it('answers false when the system refuses', () => {
    assert.equal(lowerThisThread(Number.NaN), false);
  });
});
