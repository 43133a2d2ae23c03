/**
 * Start one of the paper's programs (fixtures/<name>, built to build/fixtures/<variant>/<name>/main.js)
 * in a child process and talk to it over the protocol of fixtures/control.ts.
 */
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import * as path from 'node:path';
import type { StrandInfo, UpdateResult } from 'quiesce';

/** 'quiesce': all changes (interruptible waits); 'updonly': update points only. */
export type Variant = 'quiesce' | 'updonly';

export const ROOT = path.resolve(__dirname, '../../..');

export interface Fixture {
  /** What the fixture reported when it was ready: its ports and anything its driver needs. */
  info: Record<string, unknown>;
  process: ChildProcess;
  probe(count: number, spacingMs: number, timeoutMs: number): Promise<UpdateResult[]>;
  strands(): Promise<StrandInfo[]>;
  /** The strands of every thread of the fixture (its workers too). */
  strandsEverywhere(): Promise<StrandInfo[]>;
  /** Stop the fixture; resolves with its exit code once the process has exited. */
  stop(): Promise<number | null>;
  /** What the fixture printed on stdout so far ('' unless started with captureStdout). */
  output(): string;
}

export interface StartOptions {
  args?: string[];
  /** Pin the server to these CPUs with taskset (the load generator gets the other core). */
  cpus?: string;
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Keep the fixture's stdout for Fixture.output() instead of passing it through. */
  captureStdout?: boolean;
}

export function fixtureMain(name: string, variant: Variant): string {
  return path.join(ROOT, 'build/fixtures', variant, name, 'main.js');
}

export async function startFixture(name: string, variant: Variant, options: StartOptions = {}): Promise<Fixture> {
  const main = fixtureMain(name, variant);
  const stdio: StdioOptions | undefined = options.captureStdout ? ['inherit', 'pipe', 'inherit', 'ipc'] : undefined;
  const child = options.cpus
    ? fork(main, options.args ?? [], { execPath: 'taskset', execArgv: ['-c', options.cpus, process.execPath], serialization: 'advanced', env: options.env, stdio })
    : fork(main, options.args ?? [], { serialization: 'advanced', env: options.env, stdio });
  // Read it as it comes: a fixture writing to a full pipe would block.
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (output += text));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on('message', (message: { id?: number; value?: unknown; error?: string }) => {
    if (message.id === undefined) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(`${name}: ${message.error}`));
    else waiter?.resolve(message.value);
  });
  const request = <T>(cmd: string, args: object = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, cmd, ...args });
    });
  const info = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} (${variant}) was not ready within ${options.readyTimeoutMs ?? 10000} ms`)), options.readyTimeoutMs ?? 10000);
    child.on('message', (message: { event?: string; info?: Record<string, unknown> }) => {
      if (message.event !== 'ready') return;
      clearTimeout(timer);
      resolve(message.info ?? {});
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} (${variant}) exited with code ${code} before it was ready`));
    });
  });
  return {
    info,
    process: child,
    probe: (count, spacingMs, timeoutMs) => request<UpdateResult[]>('probe', { count, spacingMs, timeoutMs }),
    strands: () => request<StrandInfo[]>('strands'),
    strandsEverywhere: () => request<StrandInfo[]>('strandsEverywhere'),
    output: () => output,
    stop: async () => {
      // The fixture disconnects once it has stopped, so its exit may come instead of the reply.
      if (child.exitCode === null && child.connected) await Promise.race([request('stop'), exited]).catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
