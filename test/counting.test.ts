/**
 * How the coordinating thread counts its busy strands (runtime/strand.ts, markBusy): not at every
 * wait, but when an update is requested, by looking at every strand, and from then on at every
 * change. These tests run transformed loops in this process (the coordinating thread) and change
 * their state while an update is pending, each change one that a wrong count would let through:
 * the action would run while a strand is in the middle of its body.
 */
import { threadId } from 'node:worker_threads';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ts from 'typescript';
import { requestUpdate, strands, threads, type StrandInfo, type UpdateResult } from 'quiesce';
import { transformSource } from 'quiesce/transformer';

const SOURCE = `
export type Next<T> = () => Promise<T>;

/** Every wait a boundary wait at the loop head: quiet while pending. */
export async function consumer(next: Next<number>, log: unknown[]): Promise<void> {
  while (true) {
    const value = await next();
    if (value < 0) break;
    log.push(value);
  }
}

/** A wait in the middle of the body, which the transform leaves alone: busy while pending. */
export async function worker(next: Next<number>, log: unknown[]): Promise<void> {
  while (true) {
    log.push('before');
    const value = await next();
    if (value < 0) break;
    log.push('after');
  }
}

/** A wait that ends the body: quiet while pending; the update point follows it. */
export async function ticker(next: Next<number>, log: unknown[], stop: { now: boolean }): Promise<void> {
  let tick = 0;
  while (true) {
    if (stop.now) break;
    log.push(tick++);
    await next();
  }
}

/** A nested event loop in the body, then a wait in the middle of the body. */
export async function nested(outer: Next<number>, inner: Next<number>, middle: Next<string>, log: unknown[]): Promise<void> {
  while (true) {
    const job = await outer();
    if (job < 0) break;
    try {
      while (true) {
        const part = await inner();
        log.push(job + ':' + part);
      }
    } catch (error) {
      log.push('inner ended: ' + (error as Error).message);
    }
    const said = await middle();
    log.push(said);
  }
}
`;

interface Program {
  consumer(next: () => Promise<number>, log: unknown[]): Promise<void>;
  worker(next: () => Promise<number>, log: unknown[]): Promise<void>;
  ticker(next: () => Promise<number>, log: unknown[], stop: { now: boolean }): Promise<void>;
  nested(outer: () => Promise<number>, inner: () => Promise<number>, middle: () => Promise<string>, log: unknown[]): Promise<void>;
}

/** SOURCE transformed, compiled and loaded into this process. */
function load(): Program {
  const { code, diagnostics } = transformSource(SOURCE, 'counting.ts');
  assert.is(diagnostics.length, 0);
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const exports = {};
  new Function('require', 'exports', js)(require, exports);
  return exports as Program;
}

const program = load();

/** Values handed to a loop one wait at a time: each call of `next` waits for the next `open`/`fail`. */
class Feed<T> {
  private waiting: { resolve: (value: T) => void; reject: (error: Error) => void } | undefined;
  /** How many times the loop has asked. */
  asked = 0;
  readonly next = (): Promise<T> => {
    this.asked++;
    return new Promise<T>((resolve, reject) => (this.waiting = { resolve, reject }));
  };
  open(value: T): void {
    this.take().resolve(value);
  }
  fail(error: Error): void {
    this.take().reject(error);
  }
  private take(): { resolve: (value: T) => void; reject: (error: Error) => void } {
    assert.ok(this.waiting !== undefined, 'the loop is waiting');
    const waiting = this.waiting!;
    this.waiting = undefined;
    return waiting;
  }
}

/** Let every promise chain that can make progress do so. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function strandsNamed(name: string): StrandInfo[] {
  return strands().filter((strand) => strand.name === name);
}

/** An update whose action records what the strands were doing, and whether it ran yet. */
function update(record: () => unknown): { result: Promise<UpdateResult>; ran: () => boolean; seen: () => unknown } {
  let seen: unknown;
  let ran = false;
  const result = requestUpdate(
    () => {
      ran = true;
      seen = record();
    },
    { timeoutMs: 2000 },
  );
  return { result, ran: () => ran, seen: () => seen };
}

const busyHere = (): number => threads().find((thread) => thread.thread === threadId)!.busy;

/** Each test ends the loops it started: none is left, and none is counted. */
async function ended(): Promise<void> {
  await settle();
  assert.equal(strands(), []);
  assert.is(busyHere(), 0);
}

test('a boundary wait that ends while an update is pending: the strand parks before it uses the value', async () => {
  const feed = new Feed<number>();
  const holder = new Feed<number>();
  const log: unknown[] = [];
  const holding: unknown[] = [];
  void program.consumer(feed.next, log);
  void program.worker(holder.next, holding);
  await settle();
  assert.is(busyHere(), 1, 'the worker, in the wait in its body');

  const pending = update(() => ({ log: [...log], strands: strands().map((strand) => strand.status) }));
  feed.open(7);
  await settle();
  assert.not.ok(pending.ran(), 'the worker holds the update');
  assert.equal(log, [], 'the consumer did not use the value');
  assert.equal(strandsNamed('counting.ts:consumer:loop1').map((strand) => strand.status), ['parked']);

  holder.open(0);
  assert.is((await pending.result).outcome, 'applied');
  assert.equal(pending.seen(), { log: [], strands: ['parked', 'parked'] });
  await settle();
  assert.equal(log, [7], 'after the update it goes on with the value');
  assert.equal(holding, ['before', 'after', 'before']);
  assert.is(busyHere(), 1);
  holder.open(0);
  feed.open(8);
  await settle();
  assert.equal(log, [7, 8]);
  holder.open(-1);
  feed.open(-1);
  await ended();
});

test('a loop entered while an update is pending is counted and parks at its first update point', async () => {
  const holder = new Feed<number>();
  const feed = new Feed<number>();
  const holding: unknown[] = [];
  const log: unknown[] = [];
  void program.worker(holder.next, holding);
  await settle();

  const pending = update(() => ({ asked: feed.asked, strands: strandsNamed('counting.ts:consumer:loop1').map((strand) => strand.status) }));
  await settle();
  assert.is(busyHere(), 1, 'the update is pending: the worker holds it');
  void program.consumer(feed.next, log);
  // It ran to its first update point at once, and parked there.
  assert.equal(strandsNamed('counting.ts:consumer:loop1').map((strand) => strand.status), ['parked']);
  assert.is(busyHere(), 1);
  await settle();
  holder.open(0);
  assert.is((await pending.result).outcome, 'applied');
  assert.equal(pending.seen(), { asked: 0, strands: ['parked'] }, 'it parked before its first wait');
  await settle();
  assert.is(feed.asked, 1);
  feed.open(1);
  await settle();
  assert.equal(log, [1]);
  holder.open(-1);
  feed.open(-1);
  await ended();
});

test('a wait that ends the body and ends while an update is pending: no further iteration runs before the update', async () => {
  const holder = new Feed<number>();
  const ticks = new Feed<number>();
  const holding: unknown[] = [];
  const log: unknown[] = [];
  void program.worker(holder.next, holding);
  const stop = { now: false };
  void program.ticker(ticks.next, log, stop);
  await settle();
  assert.equal(log, [0]);
  assert.equal(strandsNamed('counting.ts:ticker:loop1').map((strand) => strand.status), ['quiet']);

  const pending = update(() => [...log]);
  ticks.open(0);
  await settle();
  assert.equal(strandsNamed('counting.ts:ticker:loop1').map((strand) => strand.status), ['parked']);
  holder.open(0);
  assert.is((await pending.result).outcome, 'applied');
  assert.equal(pending.seen(), [0], 'the ticker did not start its next iteration before the update');
  await settle();
  assert.equal(log, [0, 1]);
  holder.open(-1);
  stop.now = true;
  ticks.open(0);
  await ended();
});

test('a nested loop left by a rejected boundary wait while an update is pending: its parent is busy until it parks', async () => {
  const holder = new Feed<number>();
  const outer = new Feed<number>();
  const inner = new Feed<number>();
  const middle = new Feed<string>();
  const holding: unknown[] = [];
  const log: unknown[] = [];
  void program.worker(holder.next, holding);
  void program.nested(outer.next, inner.next, middle.next, log);
  await settle();
  outer.open(1);
  await settle();
  assert.equal(strandsNamed('counting.ts:nested:loop2').map((strand) => strand.status), ['quiet']);
  assert.is(busyHere(), 1, 'the worker only: the nest is in its inner boundary wait');

  const pending = update(() => [...log]);
  inner.fail(new Error('gone'));
  await settle();
  assert.equal(log, ['inner ended: gone']);
  assert.is(busyHere(), 2, 'the parent is counted again: it waits in the middle of its body');
  holder.open(0);
  await settle();
  assert.not.ok(pending.ran(), 'the parent, in the middle of its body, holds the update');
  middle.open('said');
  assert.is((await pending.result).outcome, 'applied');
  assert.equal(pending.seen(), ['inner ended: gone', 'said'], 'the action ran once the parent finished its iteration');
  await settle();
  assert.is(outer.asked, 2);
  holder.open(-1);
  outer.open(-1);
  await ended();
});

test.run();
