/**
 * Full quiescence across worker threads (design.md, "Worker threads"). Each program of
 * test/programs/apps/workers runs in a child process, built with interruptible waits
 * (build/programs/quiesce) or with update points only (build/programs/updonly), and prints what
 * it saw as one JSON line: the outcomes of its updates, and what each update action found from
 * inside, through threads() and the program's own counters of work done.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StrandInfo, Variant } from './support/apps';

const VARIANTS: Variant[] = ['quiesce', 'updonly'];
const UPDATES = 500;

/** What the update actions of a program saw (programs/apps/workers/common.ts). */
interface ActionCheck {
  idleAtOnce: number;
  /** Actions that found every live thread's busy count at 0 (at once, or once a woken strand re-parked). */
  idle: number;
  /** null when no action ran (JSON has no Infinity). */
  fewestLiveThreads: number | null;
  progressDuringAction: number;
  workInFlight: number;
}

type Outcomes = Record<string, number>;

/** Run a worker program from the `variant` build; resolves with the JSON line it printed. */
function run<T>(variant: Variant, program: string, ...args: Array<string | number>): Promise<T> {
  const file = path.join(__dirname, '../programs', variant, 'apps/workers', `${program}.js`);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file, ...args.map(String)], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${variant} ${program} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as T);
    });
  });
}

/** Every applied update's action found the program fully quiescent, every thread alive, no work going on. */
function assertQuiescentActions(check: ActionCheck, applied: number, threads: number, label: string): void {
  assert.is(check.idle, applied, `${label}: every action found every live thread's busy count at 0`);
  assert.is(check.fewestLiveThreads, threads, `${label}: every action saw the main thread and every worker alive`);
  assert.is(check.workInFlight, 0, `${label}: no action began with work begun and not finished`);
  assert.is(check.progressDuringAction, 0, `${label}: no work was done while an action ran`);
}

/** The threads a called-off update's blockers name (a worker parked or busy in sync code is named by thread only). */
const blockerThreads = (blockers: StrandInfo[]): number[] => [...new Set(blockers.map((strand) => strand.thread))].sort((a, b) => a - b);

interface PoolLoad extends ActionCheck {
  workers: number;
  outcomes: Outcomes;
  fed: number;
  processed: number;
  perJob: Record<string, number>;
}

for (const variant of VARIANTS) {
  test(`${variant}: a pool of 4 workers fed by a shared queue, ${UPDATES} updates under load, every job processed exactly once`, async () => {
    const pool = await run<PoolLoad>(variant, 'pool', 'load', UPDATES);
    assert.equal(pool.outcomes, { applied: UPDATES });
    assertQuiescentActions(pool, UPDATES, 1 + pool.workers, 'pool');
    assert.ok(pool.fed > UPDATES, `jobs flowed: ${pool.fed} fed`);
    assert.is(pool.processed, pool.fed, 'every job fed was processed');
    assert.equal(pool.perJob, { 0: Math.min(pool.fed, 1 << 20) }, 'each job id processed exactly as often as it was fed');
  });
}

interface Pipeline extends ActionCheck {
  stageThreads: number[];
  outcomes: Outcomes;
  idleOutcomes: Outcomes;
  blockers: StrandInfo[];
  sent: number;
  received: number;
  inOrder: boolean;
  sentAfterIdle: number;
}

function assertDelivered(pipeline: Pipeline): void {
  assert.ok(pipeline.sentAfterIdle > 0, 'messages flowed again after the idle updates');
  assert.is(pipeline.received, pipeline.sent, 'every message arrived once');
  assert.ok(pipeline.inOrder, 'in the order sent');
}

test(`quiesce: a pipeline of workers over MessagePorts reaches full quiescence ${UPDATES} times while messages flow, and with idle ports`, async () => {
  const pipeline = await run<Pipeline>('quiesce', 'pipeline', UPDATES, 1000, 3, 200);
  assert.equal(pipeline.outcomes, { applied: UPDATES });
  assert.equal(pipeline.idleOutcomes, { applied: 3 });
  assertQuiescentActions(pipeline, UPDATES + 3, 3, 'pipeline');
  assertDelivered(pipeline);
});

test('updonly: the pipeline with idle ports is called off, its blockers name both stages, and messages flow on', async () => {
  // While messages flow, a stage parks at the head of its body with the message its downstream waits for.
  const pipeline = await run<Pipeline>('updonly', 'pipeline', 10, 100, 2, 200);
  assert.is((pipeline.outcomes.applied ?? 0) + (pipeline.outcomes['called-off'] ?? 0), 10);
  assert.equal(pipeline.idleOutcomes, { 'called-off': 2 });
  for (const thread of pipeline.stageThreads) assert.ok(blockerThreads(pipeline.blockers).includes(thread), `thread ${thread} is named a blocker`);
  for (const strand of pipeline.blockers) assert.is(strand.status, 'running', `${strand.name} is blocked in its wait`);
  assert.is(pipeline.progressDuringAction, 0);
  assertDelivered(pipeline);
});

interface Compute extends ActionCheck {
  workerThreads: number[];
  busyWhileCrunching: number[];
  outcomes: Outcomes;
}

for (const variant of VARIANTS) {
  test(`${variant}: compute loops in workers park at their synchronous update points`, async () => {
    const compute = await run<Compute>(variant, 'compute', 100);
    assert.equal(compute.busyWhileCrunching, compute.workerThreads.map(() => 1), 'a crunching worker counts a busy strand');
    assert.equal(compute.outcomes, { applied: 100 });
    assertQuiescentActions(compute, 100, 1 + compute.workerThreads.length, 'compute');
  });
}

interface PoolIdle extends ActionCheck {
  workerThreads: number[];
  outcomes: Outcomes;
  busyWhilePending: number[];
  blockers: StrandInfo[];
  processed: number;
  perJob: Record<string, number>;
  afterExit: string;
  liveThreadsAfterExit: number;
}

function assertPoolWorksOn(pool: PoolIdle): void {
  assert.is(pool.processed, 2000, 'the pool processed every job fed after the updates');
  assert.equal(pool.perJob, { 0: 2000 }, 'each exactly once');
  assert.is(pool.afterExit, 'applied', 'workers that exited do not hold up the next update');
  assert.is(pool.liveThreadsAfterExit, 1);
}

test('quiesce: the pool with an idle queue quiesces: each worker asleep in pop() is woken and parks', async () => {
  const pool = await run<PoolIdle>('quiesce', 'pool', 'idle', 3, 200);
  assert.equal(pool.outcomes, { applied: 3 });
  assertQuiescentActions(pool, 3, 1 + pool.workerThreads.length, 'idle pool');
  assertPoolWorksOn(pool);
});

test('updonly: the pool with an idle queue is called off, its blockers and threads() name every worker, and it works on', async () => {
  const pool = await run<PoolIdle>('updonly', 'pool', 'idle', 3, 200);
  assert.equal(pool.outcomes, { 'called-off': 3 });
  assert.equal(pool.busyWhilePending, pool.workerThreads.map(() => 1), "threads(): each worker's strand is busy in pop()");
  assert.equal(blockerThreads(pool.blockers), [...pool.workerThreads].sort((a, b) => a - b));
  assertPoolWorksOn(pool);
});

interface LateWorker {
  outcome: string;
  ranDuringAction: number;
  idle: boolean;
  ranAfter: boolean;
}

interface EndingWorker {
  outcome: string;
  heldUp: boolean;
  alive: boolean;
  idle: boolean;
}

interface Lifecycle {
  lateStart: LateWorker;
  startWhilePending: LateWorker;
  returns: EndingWorker;
  exits: EndingWorker;
  terminated: EndingWorker;
  liveThreadsAtEnd: number;
}

for (const variant of VARIANTS) {
  test(`${variant}: workers that start or end during an update neither block it nor stay parked`, async () => {
    const lifecycle = await run<Lifecycle>(variant, 'lifecycle');
    for (const scenario of ['lateStart', 'startWhilePending'] as const) {
      const late = lifecycle[scenario];
      assert.is(late.outcome, 'applied', scenario);
      assert.is(late.ranDuringAction, 0, `${scenario}: the new worker parked at its first update point`);
      assert.ok(late.idle, `${scenario}: every live thread idle during the action`);
      assert.ok(late.ranAfter, `${scenario}: the new worker ran once the update was over`);
    }
    for (const scenario of ['returns', 'exits', 'terminated'] as const) {
      const ending = lifecycle[scenario];
      assert.ok(ending.heldUp, `${scenario}: the worker held the update up while it worked`);
      assert.is(ending.outcome, 'applied', `${scenario}: applied once the worker ended`);
      assert.ok(ending.idle, `${scenario}: every live thread idle during the action`);
    }
    // A worker that called process.exit or was terminated never left its loop: only its end counts.
    assert.not.ok(lifecycle.exits.alive);
    assert.not.ok(lifecycle.terminated.alive);
    assert.is(lifecycle.liveThreadsAtEnd, 1);
  });
}

interface Deadlock extends ActionCheck {
  workerThreads: number[];
  outcomes: Outcomes;
  blockers: StrandInfo[];
  lockerRanBeforeStop: number;
  lockerRan: number;
}

const DEADLOCK = [
  { variant: 'quiesce', locker: 'annotatedLocker', outcome: 'applied' },
  { variant: 'quiesce', locker: 'locker', outcome: 'called-off' },
  { variant: 'updonly', locker: 'annotatedLocker', outcome: 'called-off' },
] as const;

for (const { variant, locker, outcome } of DEADLOCK) {
  test(`${variant}: a worker holds a SharedMutex across its update point, another blocks in lock() (${locker}): ${outcome}`, async () => {
    const deadlock = await run<Deadlock>(variant, 'deadlock', locker, 3, 200);
    assert.equal(deadlock.outcomes, { [outcome]: 3 });
    if (outcome === 'applied') assertQuiescentActions(deadlock, 3, 3, 'deadlock');
    else assert.equal(blockerThreads(deadlock.blockers), [deadlock.workerThreads[1]], 'the locker is the one blocker');
    assert.is(deadlock.lockerRanBeforeStop, 0, 'the holder kept the lock throughout');
    assert.is(deadlock.lockerRan, 1, 'once it let go, the locker took the lock and stopped');
  });
}

test.run();
