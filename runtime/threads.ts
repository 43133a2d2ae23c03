/**
 * Full quiescence across worker threads (design.md, "Worker threads"). Every thread that loads
 * the runtime has a slot in the control block with its count of busy strands; the coordinator
 * sums them. A worker learns of a request from the shared flag: its update points read it, a
 * watcher interrupts its interruptible waits, and a thread asleep in a shared primitive is woken
 * on the exact word it sleeps on (QBench signals the exact condition variable a thread waits on).
 */
import { BroadcastChannel } from 'node:worker_threads';
import { blockers, strands, type StrandInfo } from './inspect';
import {
  EPOCH,
  FLAG,
  MAX_THREADS,
  SLOT_ALIVE,
  SLOT_BASE,
  SLOT_BUSY,
  SLOT_COUNT,
  SLOT_SIZE,
  SLOT_SLEEPING_ON,
  SLOT_THREAD,
  state,
} from './state';
import { busyHere, interruptWaiters, wakeCoordinator } from './strand';

const STRANDS_CHANNEL = 'quiesce.strands';
/** How long the coordinator waits for the other threads to say who blocks them. */
const QUERY_MS = 50;

function slotBases(): number[] {
  const count = Math.min(Atomics.load(state.control, SLOT_COUNT), MAX_THREADS);
  const bases: number[] = [];
  for (let i = 0; i < count; i++) bases.push(SLOT_BASE + i * SLOT_SIZE);
  return bases;
}

/** Full quiescence: no live thread has a busy strand. */
export function allThreadsIdle(): boolean {
  const control = state.control;
  for (const base of slotBases()) {
    if (Atomics.load(control, base + SLOT_ALIVE) === 1 && Atomics.load(control, base + SLOT_BUSY) !== 0) return false;
  }
  return true;
}

/** Wake every thread asleep in a shared primitive: bump the word it sleeps on, so no wake-up is lost. */
export function wakeSleepers(): void {
  const control = state.control;
  for (const base of slotBases()) {
    const word = Atomics.load(control, base + SLOT_SLEEPING_ON);
    if (word === 0 || Atomics.load(control, base + SLOT_ALIVE) !== 1) continue;
    Atomics.add(control, word, 1);
    Atomics.notify(control, word);
  }
}

/** A thread that ended no longer counts, whatever its strands were doing; its slot is free again. */
function threadGone(threadId: number): void {
  const control = state.control;
  for (const base of slotBases()) {
    if (Atomics.load(control, base + SLOT_THREAD) !== threadId + 1) continue;
    if (Atomics.compareExchange(control, base + SLOT_ALIVE, 1, 0) !== 1) continue;
    Atomics.store(control, base + SLOT_THREAD, 0);
    wakeCoordinator();
  }
}

export interface ThreadInfo {
  thread: number;
  /**
   * Strands of this thread that hold up quiescence now. The coordinating thread keeps its count in
   * shared memory only while an update is pending (strand.ts, markBusy): read from another thread
   * outside an update, its figure is the one of the last update.
   */
  busy: number;
  alive: boolean;
}

/** Every thread that has loaded the runtime, read from shared memory: it works even while they are parked. */
export function threads(): ThreadInfo[] {
  const control = state.control;
  return slotBases().map((base) => {
    const thread = Atomics.load(control, base + SLOT_THREAD) - 1;
    return {
      thread,
      busy: thread === state.threadId ? busyHere() : Atomics.load(control, base + SLOT_BUSY),
      alive: Atomics.load(control, base + SLOT_ALIVE) === 1,
    };
  });
}

/** The blockers of this thread, and of every other thread that answers in time. */
export function blockersEverywhere(): Promise<StrandInfo[]> {
  return ask('blockers', (info) => info.busy !== 0);
}

/** The strands of every thread that answers in time (a thread busy in synchronous code cannot). */
export function strandsEverywhere(): Promise<StrandInfo[]> {
  return ask('strands', () => true);
}

async function ask(query: 'strands' | 'blockers', concerned: (thread: ThreadInfo) => boolean): Promise<StrandInfo[]> {
  const found = query === 'strands' ? strands() : blockers();
  const others = new Map<number, number>();
  for (const info of threads()) if (info.thread !== state.threadId && info.alive && concerned(info)) others.set(info.thread, info.busy);
  if (others.size === 0) return found;
  const channel = new BroadcastChannel(STRANDS_CHANNEL);
  const answered = new Set<number>();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, QUERY_MS);
    channel.onmessage = (event) => {
      const reply = (event as unknown as { data: { thread?: number; strands?: StrandInfo[] } }).data;
      if (reply.thread === undefined || !others.has(reply.thread)) return;
      answered.add(reply.thread);
      found.push(...(reply.strands ?? []));
      if (answered.size === others.size) {
        clearTimeout(timer);
        resolve();
      }
    };
    channel.postMessage({ query });
  });
  channel.close();
  // A thread busy or parked in synchronous code cannot answer: say so rather than leave it out.
  for (const [thread, busy] of others) {
    if (!answered.has(thread)) {
      found.push({ name: `(thread did not answer; ${busy} busy strand${busy === 1 ? '' : 's'})`, thread, status: busy === 0 ? 'parked' : 'running', at: undefined, child: undefined });
    }
  }
  return found;
}

/** On a worker: interrupt this thread's interruptible waits whenever an update is requested. */
async function watchRequests(): Promise<void> {
  const control = state.control;
  for (;;) {
    const raised = Atomics.waitAsync(control, FLAG, 0);
    if (raised.async) await raised.value;
    interruptWaiters();
    const epoch = Atomics.load(control, EPOCH);
    if (Atomics.load(control, FLAG) === 0) continue;
    const ended = Atomics.waitAsync(control, EPOCH, epoch);
    if (ended.async) await ended.value;
  }
}

function answerQueries(): void {
  const channel = new BroadcastChannel(STRANDS_CHANNEL);
  channel.onmessage = (event) => {
    const query = (event as unknown as { data: { query?: string } }).data.query;
    if (query === 'blockers') channel.postMessage({ thread: state.threadId, strands: blockers() });
    else if (query === 'strands') channel.postMessage({ thread: state.threadId, strands: strands() });
  };
  // Neither the channel nor a pending Atomics.waitAsync may keep a worker alive.
  channel.unref();
}

const installed = Symbol.for('quiesce.threads.installed');

/** Once per thread: follow the workers this thread starts, and, on a worker, the requests. */
export function installThreads(): void {
  const global = globalThis as Record<symbol, unknown>;
  if (global[installed]) return;
  global[installed] = true;
  process.on('worker', (worker) => {
    const threadId = worker.threadId;
    worker.once('exit', () => threadGone(threadId));
  });
  if (!state.coordinator) {
    void watchRequests();
    answerQueries();
    // Whoever started this worker may not have the runtime to notice its end.
    process.once('exit', () => threadGone(state.threadId));
  }
}
