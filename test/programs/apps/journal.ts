/**
 * The seed's scenario (design.md, property 5; the QBench poster's deadlock). A writer strand keeps
 * the journal's Mutex across its update point while a batch is open; an auditor strand waits for
 * that Mutex at the head of its loop. With update points only, the writer parks holding the lock
 * and the auditor never reaches its update point. Entries arrive from a timer; a commit closes
 * the batch and lets the auditor in.
 */
import { Mutex, Queue, QueueClosedError } from 'quiesce';
import type { App } from './host';

const journal = new Mutex();
const entries = new Queue<string>();
const written: string[] = [];
const counters = { audits: 0, audited: 0 };
let feeder: NodeJS.Timeout | undefined;

async function writeEntries(): Promise<void> {
  await journal.lock();
  try {
    while (true) {
      const entry = await entries.pop();
      written.push(entry);
      if (entry === 'commit') {
        journal.unlock();
        await journal.lock();
      }
    }
  } catch (error) {
    if (!(error instanceof QueueClosedError)) throw error;
  }
  journal.unlock();
}

async function auditJournal(): Promise<void> {
  while (true) {
    await journal.lock();
    const closing = entries.closed;
    counters.audits++;
    counters.audited = written.length;
    journal.unlock();
    if (closing) return;
  }
}

export const app: App = {
  async start() {
    void writeEntries();
    void auditJournal();
    let n = 0;
    feeder = setInterval(() => entries.tryPush(`entry ${n++}`), 1);
    return {};
  },
  async stop() {
    clearInterval(feeder);
    entries.close();
  },
  state: () => ({ locked: journal.locked, written: written.length, ...counters }),
  actions: {},
  commands: {
    commit: () => entries.tryPush('commit'),
  },
};
