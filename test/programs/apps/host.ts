/**
 * Runs one scenario app (`node host.js <app>`) in a child process that its test drives over IPC
 * (fork with serialization 'advanced', so errors and undefined survive the trip). A request
 * `{ id, cmd, ...args }` is answered with `{ id, value }` or `{ id, error }`. Each update action
 * reports its start and end with what it saw (`{ event: 'action' }`: strands(), updatePending(),
 * the app's state) and each update its result (`{ event: 'result' }`), so the test can check from
 * inside the action that the program was fully quiescent.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { requestUpdate, strands, updatePending, type UpdateResult } from 'quiesce';
import * as echo from './echo';
import * as jobs from './jobs';
import * as journal from './journal';

export interface App {
  start(): Promise<object>;
  stop(): Promise<void>;
  state(): Record<string, unknown>;
  /** What an update changes in the running program, by name. */
  actions: Record<string, () => unknown>;
  /** Input the test gives the program other than through its sockets. */
  commands: Record<string, () => unknown>;
}

export interface UpdateSpec {
  label: string;
  /** The app's action to run; without one the update only observes. */
  action?: string;
  timeoutMs?: number;
  /** Keep the action running until a `release` of this label. */
  hold?: boolean;
  /** Request this update from inside the action: it is queued behind this one. */
  nested?: UpdateSpec;
}

type Outcome = UpdateResult['outcome'];

const apps: Record<string, App> = { echo: echo.app, jobs: jobs.app, journal: journal.app };
const app = apps[process.argv[2]];
if (app === undefined) throw new Error(`host: no app named '${process.argv[2]}'`);

const releases = new Map<string, () => void>();
let churning = false;
let churned: Promise<Record<Outcome, number>> | undefined;

function send(message: object): void {
  process.send!(message);
}

function actionOf(name: string): () => unknown {
  const action = app.actions[name];
  if (action === undefined) throw new Error(`host: no action named '${name}'`);
  return action;
}

function startUpdate(spec: UpdateSpec): void {
  if (spec.action !== undefined) actionOf(spec.action);
  void requestUpdate(() => act(spec), { timeoutMs: spec.timeoutMs }).then((result) => send({ event: 'result', label: spec.label, result }));
}

async function act(spec: UpdateSpec): Promise<void> {
  report(spec.label, 'start');
  if (spec.nested !== undefined) startUpdate(spec.nested);
  if (spec.hold) await new Promise<void>((resolve) => releases.set(spec.label, resolve));
  if (spec.action !== undefined) await actionOf(spec.action)();
  report(spec.label, 'end');
}

function report(label: string, phase: 'start' | 'end'): void {
  send({ event: 'action', label, phase, strands: strands(), pending: updatePending(), state: app.state() });
}

/**
 * Request updates one after another, from `churn` until `stopChurn`, and at least until `applied`
 * of them were applied; `stopChurn` answers with the count of each outcome.
 */
async function churn(action: string, applied: number, timeoutMs: number): Promise<Record<Outcome, number>> {
  const counts: Record<Outcome, number> = { applied: 0, 'called-off': 0, failed: 0 };
  while (churning || counts.applied < applied) {
    counts[(await requestUpdate(actionOf(action), { timeoutMs })).outcome]++;
    // Let the sockets be served between two updates.
    await nextTurn();
  }
  return counts;
}

async function handle(message: { id: number; cmd: string; [arg: string]: unknown }): Promise<unknown> {
  switch (message.cmd) {
    case 'start':
      return app.start();
    case 'stop':
      return app.stop();
    case 'state':
      return app.state();
    case 'strands':
      return strands();
    case 'command': {
      const command = app.commands[message.name as string];
      if (command === undefined) throw new Error(`host: no command named '${String(message.name)}'`);
      return command();
    }
    case 'update':
      return startUpdate(message.spec as UpdateSpec);
    case 'release': {
      const release = releases.get(message.label as string);
      if (release === undefined) throw new Error(`host: no action '${String(message.label)}' is held`);
      releases.delete(message.label as string);
      return release();
    }
    case 'churn':
      actionOf(message.action as string);
      churning = true;
      churned = churn(message.action as string, message.applied as number, message.timeoutMs as number);
      return undefined;
    case 'stopChurn':
      churning = false;
      return churned;
    default:
      throw new Error(`host: unknown command '${message.cmd}'`);
  }
}

process.on('message', (message: { id: number; cmd: string }) => {
  handle(message).then(
    (value) => send({ id: message.id, value }),
    (error: unknown) => send({ id: message.id, error }),
  );
});
