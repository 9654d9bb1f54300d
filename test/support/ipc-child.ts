/**
 * @module
 * A Node script in a child process spoken to over IPC, for tests and benchmarks that run nodes as
 * processes of their own: messages are `{ type, … }`; `watch` sees each one first (status updates it
 * keeps to itself), the rest wait in an inbox for `next(type)`. Every wait is bounded and fails at once
 * when the child has exited; a send to a child that just died is ignored (its exit tells).
 */
import { fork } from 'node:child_process';
import type { ChildProcess, StdioOptions } from 'node:child_process';

export class IpcChild<From extends { readonly type: string }, To> {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly #inbox: From[] = [];
  readonly #exit: Promise<void>;

  /** `watch` returns true for a message it consumed (it then stays out of the inbox). */
  constructor(
    script: string,
    args: readonly string[],
    opts: { name: string; stdio?: StdioOptions; watch?: (m: From) => boolean },
  ) {
    this.name = opts.name;
    this.#child = fork(script, [...args], { stdio: opts.stdio ?? 'inherit' });
    this.#child.on('message', (m: From) => {
      if (opts.watch?.(m) !== true) this.#inbox.push(m);
    });
    this.#child.on('error', () => undefined);
    this.#exit = new Promise((resolve) => {
      this.#child.once('exit', () => {
        resolve();
      });
    });
  }

  get exited(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  send(m: To): void {
    this.#child.send(m as object);
  }

  /** The next message of `type`, within `ms`; throws if the child exits first. */
  async next<T extends From['type']>(type: T, ms = 60_000): Promise<Extract<From, { type: T }>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.#inbox.findIndex((m) => m.type === type);
      if (i >= 0) return this.#inbox.splice(i, 1)[0] as Extract<From, { type: T }>;
      if (this.exited) throw new Error(`${this.name} exited before '${type}'`);
      if (Date.now() > deadline) throw new Error(`no '${type}' from ${this.name} within ${String(ms)} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends `signal` (SIGKILL by default) and resolves once the child has exited. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.#child.kill(signal);
    return this.#exit;
  }

  /** Asks the child to stop (`ask`, unless it has exited) and waits, killing it after `ms`. */
  async stop(ask: () => void, ms = 10_000): Promise<void> {
    if (this.exited) return;
    ask();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), ms);
    await this.#exit;
    clearTimeout(timer);
  }
}
