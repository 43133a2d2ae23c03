/**
 * Drive a scenario app of test/programs/apps in a child process (through apps/host.ts), and talk
 * to its servers as line clients over real TCP sockets. A child process keeps the app's strands,
 * sockets and update requests out of the test process; stop() checks it exits on its own.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import * as assert from 'uvu/assert';

/** The builds of test/programs: with interruptible waits, or update points only. */
export type Variant = 'quiesce' | 'updonly';

export interface StrandInfo {
  name: string;
  thread: number;
  status: 'running' | 'parked' | 'quiet' | 'waiting';
  at: string | undefined;
  child: string | undefined;
}

export interface UpdateTimings {
  toQuiescenceMs: number | undefined;
  firstToFullMs: number | undefined;
  pauseMs: number;
}

export type UpdateResult =
  | { outcome: 'applied'; timings: UpdateTimings }
  | { outcome: 'called-off'; timings: UpdateTimings; blockers: StrandInfo[] }
  | { outcome: 'failed'; timings: UpdateTimings; error: unknown };

/** What an update action saw when it started or ended. */
export interface ActionEvent {
  label: string;
  phase: 'start' | 'end';
  strands: StrandInfo[];
  pending: boolean;
  state: Record<string, unknown>;
}

export interface UpdateSpec {
  label: string;
  action?: string;
  timeoutMs?: number;
  hold?: boolean;
  nested?: UpdateSpec;
}

export type Outcomes = Record<UpdateResult['outcome'], number>;

/** Long enough for anything that must happen; reached only when something is broken. */
const PATIENCE_MS = 5000;

export function within<T>(promise: Promise<T>, what: string, ms = PATIENCE_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `probe` until it returns something other than undefined. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

/** The function a strand's loop is in: `apps/jobs.ts:readJobs:loop1` → `readJobs`. */
export function loopFunction(strand: StrandInfo): string {
  return strand.name.split(':')[1];
}

/** How many strands run in each function, e.g. { readJobs: 2, answerJobs: 1 }. */
export function countByFunction(list: StrandInfo[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const strand of list) counts[loopFunction(strand)] = (counts[loopFunction(strand)] ?? 0) + 1;
  return counts;
}

/** What an update action must see: the update pending and no strand running or in a wait. */
export function assertFullyQuiescent(event: ActionEvent): void {
  assert.ok(event.pending, `update '${event.label}' is pending while its action runs`);
  for (const strand of event.strands) {
    assert.ok(strand.status === 'parked' || strand.status === 'quiet', `${strand.name} is ${strand.status} during '${event.label}'`);
  }
}

/** Launch `app` from the `variant` build, run `body`, stop the app; kill it if anything failed. */
export async function withApp<T>(variant: Variant, app: string, body: (app: AppProcess, port: number) => Promise<T>): Promise<T> {
  const { process: child, info } = await AppProcess.launch<{ port: number }>(variant, app);
  try {
    const value = await body(child, info.port);
    await child.stop();
    return value;
  } finally {
    child.kill();
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class AppProcess {
  /** Every action start and end, in the order the child reported them. */
  readonly actions: ActionEvent[] = [];
  readonly #child: ChildProcess;
  readonly #calls = new Map<number, Pending>();
  readonly #results = new Map<string, UpdateResult>();
  readonly #listeners = new Set<() => void>();
  readonly #exited: Promise<number | null>;
  #nextId = 0;

  private constructor(variant: Variant, app: string) {
    const host = path.join(__dirname, '../../programs', variant, 'apps/host.js');
    this.#child = fork(host, [app], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#exited = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
    this.#child.on('message', (message: { id?: number; value?: unknown; error?: unknown; event?: string }) => {
      if (message.event === 'action') this.actions.push(message as unknown as ActionEvent);
      else if (message.event === 'result') {
        const { label, result } = message as unknown as { label: string; result: UpdateResult };
        this.#results.set(label, result);
      } else {
        const call = this.#calls.get(message.id!)!;
        this.#calls.delete(message.id!);
        if ('error' in message) call.reject(message.error);
        else call.resolve(message.value);
      }
      for (const listener of this.#listeners) listener();
    });
    void this.#exited.then((code) => {
      for (const call of this.#calls.values()) call.reject(new Error(`the app exited (code ${code}) before answering`));
    });
  }

  /** Fork the app's host from the given build and start the app; resolves with what start() returned. */
  static async launch<Info extends object>(variant: Variant, app: string): Promise<{ process: AppProcess; info: Info }> {
    const child = new AppProcess(variant, app);
    const info = await child.call<Info>('start');
    return { process: child, info };
  }

  call<T = unknown>(cmd: string, args: object = {}): Promise<T> {
    const id = this.#nextId++;
    return within(
      new Promise<T>((resolve, reject) => {
        this.#calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
        this.#child.send({ id, cmd, ...args });
      }),
      `the app to answer '${cmd}'`,
    );
  }

  state<T = Record<string, number>>(): Promise<T> {
    return this.call<T>('state');
  }

  strands(): Promise<StrandInfo[]> {
    return this.call<StrandInfo[]>('strands');
  }

  /** Resolve once the app's counter `key` has grown past its value before `cause` ran: what counts it goes on. */
  async grows(key: string, cause: () => Promise<unknown> = async () => {}): Promise<void> {
    const before = (await this.state())[key];
    await cause();
    await eventually(`${key} to grow past ${before}`, async () => ((await this.state())[key] > before ? true : undefined));
  }

  /** Request an update in the app; resolves when it is requested (see result()). */
  async request(spec: UpdateSpec): Promise<void> {
    await this.call('update', { spec });
  }

  /** Request an update and wait for its result. */
  async update(spec: UpdateSpec): Promise<UpdateResult> {
    await this.request(spec);
    return this.result(spec.label);
  }

  result(label: string): Promise<UpdateResult> {
    return this.#until(`the result of update '${label}'`, () => this.#results.get(label));
  }

  /** The action event of `label` in `phase`, once it has come. */
  action(label: string, phase: 'start' | 'end'): Promise<ActionEvent> {
    return this.#until(`update '${label}' to ${phase}`, () => this.actions.find((event) => event.label === label && event.phase === phase));
  }

  async release(label: string): Promise<void> {
    await this.call('release', { label });
  }

  /** Stop the app and check that the child then exits by itself, with nothing left running. */
  async stop(): Promise<void> {
    await this.call('stop');
    this.#child.disconnect();
    const code = await within(this.#exited, 'the app to exit after stop').catch((error: unknown) => {
      this.kill();
      throw error;
    });
    if (code !== 0) throw new Error(`the app exited with code ${code}`);
  }

  /** For cleanup after a failed test. */
  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill();
  }

  #until<T>(what: string, probe: () => T | undefined): Promise<T> {
    const now = probe();
    if (now !== undefined) return Promise.resolve(now);
    return within(
      new Promise<T>((resolve) => {
        const listener = (): void => {
          const value = probe();
          if (value === undefined) return;
          this.#listeners.delete(listener);
          resolve(value);
        };
        this.#listeners.add(listener);
      }),
      what,
    );
  }
}

/** A client that sends and receives newline-delimited lines over a real TCP socket. */
export class LineClient {
  readonly received: string[] = [];
  /** Whether the server ended the connection before this client did. */
  endedByServerFirst = false;
  readonly #socket: net.Socket;
  readonly #closed: Promise<void>;
  #partial = '';
  #ended = false;
  #waiters: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const lines = (this.#partial + chunk).split('\n');
      this.#partial = lines.pop()!;
      this.received.push(...lines);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    socket.on('end', () => {
      if (!this.#ended) this.endedByServerFirst = true;
    });
    this.#closed = new Promise((resolve, reject) => {
      socket.on('error', reject);
      socket.on('close', () => resolve());
    });
  }

  static connect(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new LineClient(socket)));
      socket.once('error', reject);
    });
  }

  send(line: string): void {
    this.#socket.write(`${line}\n`);
  }

  /** Wait until `count` lines have come in all; resolves with them. */
  async receive(count: number): Promise<string[]> {
    await within(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (this.received.length >= count) resolve();
          else this.#waiters.push(check);
        };
        check();
      }),
      `line ${count} from the server (got ${this.received.length})`,
    );
    return this.received.slice(0, count);
  }

  /** Send `line` and wait for the one reply it is owed. */
  async ask(line: string): Promise<string> {
    const count = this.received.length + 1;
    this.send(line);
    return (await this.receive(count))[count - 1];
  }

  /** End this side and wait for the server to close the connection. */
  async close(): Promise<void> {
    this.#ended = true;
    this.#socket.end();
    await within(this.#closed, 'the connection to close');
  }

  /** Abort the connection with a TCP reset: the server's read fails with ECONNRESET. */
  reset(): void {
    this.#ended = true;
    this.#socket.resetAndDestroy();
  }
}
