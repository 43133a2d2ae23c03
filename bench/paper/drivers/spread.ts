/**
 * spread, driven by Debian's mosquitto clients (MQTT 3.1.1): groups are topics under one root per
 * run. verify: subscribers on different groups (QoS 1 and 0, '+' and '#', overlapping filters),
 * publishers sending numbered lines at QoS 1 with `mosquitto_pub -l`; each subscriber must get every
 * message of its groups, in order, once, at the QoS its subscription grants; a retained message goes
 * to those who subscribe later; a persistent session (-c) keeps what comes while its client is away,
 * and an unsubscribed group stops coming; the monitor reports the groups on $SYS/broker/groups.
 * load: publishers fed at a steady pace and subscribers running for the whole time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CPUS, run } from '../clients';
import type { ClientView, Driver } from '../driver';
import type { Fixture } from '../fixture';

const HOST = '127.0.0.1';
/** How mosquitto_sub prints each message: QoS, retain flag, topic, payload. */
const FORMAT = 'MSG %q %r %t %p';
const GROUPS = ['red', 'green', 'blue'] as const;
type Group = (typeof GROUPS)[number];

interface Received {
  qos: number;
  retained: boolean;
  dup: boolean;
  topic: string;
  payload: string;
}

/**
 * A client running in the background, its output watched as it comes. It is ended with SIGKILL:
 * mosquitto_sub 2.0.11 disconnects from its SIGINT/SIGTERM/SIGALRM handler, which deadlocks when the
 * signal comes while it logs (eclipse-mosquitto/mosquitto#3175), so a client that should end by
 * itself ends with -C or -E, never with -W or a signal.
 */
class Background {
  readonly child: ChildProcess;
  output = '';
  errors = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #watchers: Array<() => void> = [];

  /** `limitMs`: kill the client if it is still running then. */
  constructor(command: string, args: string[], limitMs: number) {
    // A pipe makes stdio buffer whole blocks: line buffering lets each line show when it is printed.
    const line = ['stdbuf', '-oL', command, ...args];
    const [file, argv] = CPUS.client ? ['taskset', ['-c', CPUS.client, ...line]] : [line[0], line.slice(1)];
    this.child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      this.output += text;
      for (const watcher of this.#watchers) watcher();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => (this.errors += text));
    const limit = setTimeout(() => this.child.kill('SIGKILL'), limitMs);
    this.exited = new Promise((resolve) =>
      this.child.once('close', (code, signal) => {
        clearTimeout(limit);
        resolve({ code, signal });
      }),
    );
  }

  async stop(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Resolves once `done(output)` holds; rejects after `timeoutMs` or if the client exits first. */
  until(done: (output: string) => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done(this.output)) return;
        finish();
        resolve();
      };
      const finish = (): void => {
        clearTimeout(timer);
        this.#watchers = this.#watchers.filter((watcher) => watcher !== check);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`spread: ${what} within ${timeoutMs} ms; it printed:\n${this.output.slice(-2000)}${this.errors}`));
      }, timeoutMs);
      void this.exited.then(() => {
        if (!done(this.output)) {
          finish();
          reject(new Error(`spread: the client exited before ${what}; it printed:\n${this.output.slice(-2000)}${this.errors}`));
        }
      });
      this.#watchers.push(check);
      check();
    });
  }

  /** What mosquitto_sub printed for each message, with the DUP flag from the debug line before it. */
  messages(): Received[] {
    const found: Received[] = [];
    let dup = false;
    for (const line of this.output.split('\n')) {
      const debug = /received PUBLISH \(d(\d)/.exec(line);
      if (debug !== null) dup = debug[1] === '1';
      const match = /^MSG (\d) (\d) (\S+) (.*)$/.exec(line);
      if (match !== null) found.push({ qos: Number(match[1]), retained: match[2] === '1', dup, topic: match[3], payload: match[4] });
    }
    return found;
  }
}

function common(fixture: Fixture): string[] {
  return ['-h', HOST, '-p', String(fixture.info.port as number)];
}

/** A subscriber (mosquitto_sub -d, so that its SUBACK, any DUP and any reconnect show). */
function subscriber(fixture: Fixture, args: string[], limitMs = 30_000): Background {
  return new Background('mosquitto_sub', [...common(fixture), '-d', '-F', FORMAT, ...args], limitMs);
}

async function subscribed(clients: Background[]): Promise<void> {
  await Promise.all(clients.map((client) => client.until((output) => output.includes('Subscribed (mid: 1)'), 10_000, 'SUBACK')));
}

/** mosquitto_pub with its input: runs it to the end and checks it succeeded. */
async function publish(fixture: Fixture, args: string[], input = ''): Promise<void> {
  const result = await run('mosquitto_pub', [...common(fixture), ...args], { timeoutMs: 20_000, cpus: CPUS.client, input });
  if (result.code !== 0) throw new Error(`spread: mosquitto_pub ${args.join(' ')} exited with ${result.code ?? result.signal}: ${result.stderr}`);
}

function lines(group: string, from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `${group} ${from + i}`);
}

let runs = 0;

/** A topic root no earlier run used, so retained messages and sessions of other runs stay out of the way. */
function freshRoot(kind: string): string {
  return `group/${kind}${Date.now().toString(36)}${(++runs).toString(36)}`;
}

/** The messages a subscriber must print, in order, for one run of the verify publishers. */
interface Expectation {
  name: string;
  args: string[];
  /** The groups whose chat it gets, each at this QoS, in the order published. */
  groups: Group[];
  qos: number;
  /** The retained news first. */
  news: boolean;
}

function check(expectation: Expectation, received: Received[], root: string, perGroup: number): void {
  const { name } = expectation;
  const fail = (why: string): never => {
    throw new Error(`spread: subscriber ${name} (${expectation.args.join(' ')}): ${why}`);
  };
  let rest = received;
  if (expectation.news) {
    const first = received[0];
    if (first?.topic !== `${root}/news` || first.payload !== 'news' || !first.retained) fail(`expected the retained news first, got ${JSON.stringify(first)}`);
    rest = received.slice(1);
  }
  for (const message of rest) {
    const group = GROUPS.find((g) => message.topic === `${root}/${g}/chat`);
    if (group === undefined || !expectation.groups.includes(group)) fail(`got a message of a group it did not join: ${JSON.stringify(message)}`);
    if (message.qos !== expectation.qos || message.retained || message.dup) fail(`expected QoS ${expectation.qos}, neither retained nor DUP: ${JSON.stringify(message)}`);
  }
  for (const group of expectation.groups) {
    const got = rest.filter((message) => message.topic === `${root}/${group}/chat`).map((message) => message.payload);
    const want = lines(group, 1, perGroup);
    if (got.join('\n') !== want.join('\n')) {
      const at = want.findIndex((line, i) => got[i] !== line);
      fail(`${group}: got ${got.length} of ${want.length} messages; message ${at + 1} is ${JSON.stringify(got[at])}, expected ${JSON.stringify(want[at])}`);
    }
  }
}

/** Every subscriber gets every message of its groups, in order, once; retained news, monitor. */
async function verifyGroups(fixture: Fixture, root: string, perGroup: number): Promise<void> {
  await publish(fixture, ['-q', '1', '-r', '-t', `${root}/news`, '-m', 'news']);
  const expectations: Expectation[] = [
    { name: 'all', args: ['-q', '1', '-t', `${root}/#`], groups: [...GROUPS], qos: 1, news: true },
    { name: 'red', args: ['-q', '1', '-t', `${root}/red/#`], groups: ['red'], qos: 1, news: false },
    { name: 'chats', args: ['-q', '1', '-t', `${root}/+/chat`], groups: [...GROUPS], qos: 1, news: false },
    { name: 'two', args: ['-q', '1', '-t', `${root}/green/chat`, '-t', `${root}/blue/+`], groups: ['green', 'blue'], qos: 1, news: false },
    { name: 'overlap', args: ['-q', '1', '-t', `${root}/red/chat`, '-t', `${root}/red/#`], groups: ['red'], qos: 1, news: false },
    { name: 'qos0', args: ['-q', '0', '-t', `${root}/blue/chat`], groups: ['blue'], qos: 0, news: false },
  ];
  const subscribers = expectations.map((expectation) => {
    const count = expectation.groups.length * perGroup + (expectation.news ? 1 : 0);
    return subscriber(fixture, [...expectation.args, '-C', String(count)]);
  });
  try {
    await subscribed(subscribers);
    await monitorShows(fixture, expectations);
    await Promise.all(GROUPS.map((group) => publish(fixture, ['-q', '1', '-t', `${root}/${group}/chat`, '-l'], `${lines(group, 1, perGroup).join('\n')}\n`)));
    const exits = await Promise.all(subscribers.map((client) => client.exited));
    expectations.forEach((expectation, i) => {
      const client = subscribers[i];
      if (exits[i].code !== 0) throw new Error(`spread: subscriber ${expectation.name} exited with ${exits[i].code ?? exits[i].signal}: ${client.errors}`);
      check(expectation, client.messages(), root, perGroup);
    });
  } finally {
    await Promise.all(subscribers.map((client) => client.stop()));
    await publish(fixture, ['-r', '-n', '-t', `${root}/news`]);
  }
}

/** The monitor's report of the groups, on $SYS/broker/groups, comes to list every subscriber's filters. */
async function monitorShows(fixture: Fixture, expectations: Expectation[]): Promise<void> {
  const members = new Map<string, number>();
  for (const { args } of expectations) {
    args.forEach((arg, i) => {
      if (args[i - 1] === '-t') members.set(arg, (members.get(arg) ?? 0) + 1);
    });
  }
  const deadline = Date.now() + 5000;
  let report = '';
  while (Date.now() < deadline) {
    const result = await run('mosquitto_sub', [...common(fixture), '-C', '1', '-W', '5', '-t', '$SYS/broker/groups'], { timeoutMs: 10_000, cpus: CPUS.client });
    report = result.stdout.trim();
    const groups = JSON.parse(report || '{}') as Record<string, number>;
    if ([...members].every(([filter, count]) => groups[filter] === count)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`spread: the monitor's $SYS/broker/groups does not list the subscribers' groups: ${report}`);
}

/**
 * A persistent session keeps what comes while its client is away, and a group it left stops coming.
 * QoS 1 is "at least once": a message whose PUBACK the client did not send before it went away comes
 * again, marked DUP, so DUP messages may repeat what came before; every other message comes once.
 */
async function verifyPersistentSession(fixture: Fixture, root: string): Promise<void> {
  const id = `${root.slice('group/'.length)}-p`;
  const mail = `${root}/mail`;
  const gone = `${root}/gone`;
  const seen: string[] = [];
  // The session's messages come right after CONNACK, before the SUBACK on which -E ends the visit.
  const visit = async (args: string[]): Promise<string[]> => {
    const client = subscriber(fixture, ['-c', '-i', id, '-q', '1', ...args, '-E'], 10_000);
    const { code, signal } = await client.exited;
    if (code !== 0) throw new Error(`spread: persistent subscriber ${args.join(' ')} exited with ${code ?? signal}: ${client.errors}`);
    const messages = client.messages();
    for (const message of messages) {
      const text = `${message.topic} ${message.payload}`;
      if (message.dup && !seen.includes(text)) throw new Error(`spread: the persistent session got ${text} marked DUP, but never before`);
    }
    const fresh = messages.filter((message) => !message.dup).map((message) => `${message.topic} ${message.payload}`);
    seen.push(...fresh);
    return fresh;
  };
  const expect = (got: string[], wanted: string[], when: string): void => {
    if (got.join('\n') !== wanted.join('\n')) throw new Error(`spread: ${when}, the persistent session got ${JSON.stringify(got)}, expected ${JSON.stringify(wanted)}`);
  };
  expect(await visit(['-t', mail, '-t', gone]), [], 'on joining');
  await publish(fixture, ['-q', '1', '-t', mail, '-l'], `${lines('mail', 1, 5).join('\n')}\n`);
  const missed = lines('mail', 1, 5).map((line) => `${mail} ${line}`);
  expect(await visit(['-t', mail, '-U', gone]), missed, 'back after 5 messages');
  await publish(fixture, ['-q', '1', '-t', gone, '-m', 'left']);
  await publish(fixture, ['-q', '1', '-t', mail, '-m', 'mail 6']);
  expect(await visit(['-t', mail]), [`${mail} mail 6`], `after leaving ${gone}`);
  // A clean connection with the same id ends the session.
  await subscriber(fixture, ['-i', id, '-t', mail, '-E'], 10_000).exited;
}

/** What $SYS/broker/version says the build is. */
export async function serverBuild(fixture: Fixture): Promise<number> {
  const result = await run('mosquitto_sub', [...common(fixture), '-C', '1', '-W', '5', '-t', '$SYS/broker/version'], { timeoutMs: 10_000, cpus: CPUS.client });
  const build = /build (\d+)/.exec(result.stdout);
  if (build === null) throw new Error(`spread: no $SYS/broker/version (mosquitto_sub ${result.code}): ${result.stdout}${result.stderr}`);
  return Number(build[1]);
}

async function verify(fixture: Fixture): Promise<void> {
  await Promise.all([verifyGroups(fixture, freshRoot('v'), 200), verifyPersistentSession(fixture, freshRoot('p'))]);
}

export interface LoadResult extends ClientView {
  /** The lowest and highest build the monitor reported to a subscriber during the load. */
  builds: [number, number] | undefined;
  /** Keep-alive pings the idle subscriber sent, and the answers it got. */
  pings: { sent: number; answered: number };
}

/** Lines each publisher is fed every 5 ms. */
const BURST = 2;

/** Publishers fed numbered lines at a steady pace and subscribers listening for about `durationMs`. */
export async function loadGroups(fixture: Fixture, durationMs: number): Promise<LoadResult> {
  const root = freshRoot('l');
  const listening: Array<{ args: string[]; groups: Group[] }> = [
    { args: ['-q', '1', '-t', `${root}/#`, '-t', '$SYS/broker/version'], groups: [...GROUPS] },
    { args: ['-q', '1', '-t', `${root}/red/chat`], groups: ['red'] },
    { args: ['-q', '1', '-t', `${root}/green/+`, '-t', `${root}/blue/chat`], groups: ['green', 'blue'] },
    { args: ['-q', '0', '-t', `${root}/+/chat`], groups: [...GROUPS] },
  ];
  const listeners = listening.map(({ args, groups }) => ({ client: subscriber(fixture, args, durationMs + 60_000), groups }));
  const idle = subscriber(fixture, ['-q', '1', '-k', '5', '-t', `${root}/idle`], durationMs + 60_000);
  const everyone = [...listeners.map(({ client }) => client), idle];
  let publishers: Background[] = [];
  let errors = 0;
  try {
    await subscribed(everyone);
    publishers = GROUPS.map((group) => new Background('mosquitto_pub', [...common(fixture), '-d', '-q', '1', '-t', `${root}/${group}/chat`, '-l'], durationMs + 60_000));
    let sent = 0;
    const feeder = setInterval(() => {
      for (let i = 0; i < BURST; i++) {
        sent++;
        GROUPS.forEach((group, g) => publishers[g].child.stdin!.write(`${group} ${sent}\n`));
      }
    }, 5);
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    clearInterval(feeder);
    for (const publisher of publishers) publisher.child.stdin!.end();
    for (const [g, publisher] of publishers.entries()) {
      const { code, signal } = await publisher.exited;
      if (code !== 0) {
        errors++;
        process.stderr.write(`spread: mosquitto_pub for ${GROUPS[g]} exited with ${code ?? signal}: ${publisher.errors}\n`);
      }
    }
    // Everything published is acknowledged by now: wait for the last deliveries.
    await Promise.all(
      listeners.map(({ client, groups }) =>
        client.until(() => groups.every((group) => client.output.includes(` ${group} ${sent}\n`)), 10_000, 'the last messages arrived').catch(() => undefined),
      ),
    );
    const count = (client: Background, text: string): number => client.output.split(text).length - 1;
    // A ping just sent has its answer on the way.
    await idle.until(() => count(idle, 'received PINGRESP') >= count(idle, 'sending PINGREQ'), 2000, 'the last PINGRESP').catch(() => undefined);
    const pings = { sent: count(idle, 'sending PINGREQ'), answered: count(idle, 'received PINGRESP') };
    const lost = everyone.filter((client) => client.child.exitCode !== null || client.child.signalCode !== null).length;
    await Promise.all(everyone.map((client) => client.stop()));
    let received = 0;
    const builds: number[] = [];
    for (const { client, groups } of listeners) {
      const messages = client.messages();
      for (const group of groups) {
        const got = messages.filter((message) => message.topic === `${root}/${group}/chat`).map((message) => message.payload);
        received += got.length;
        if (got.join('\n') !== lines(group, 1, sent).join('\n')) errors++;
      }
      for (const message of messages) {
        const build = /build (\d+)/.exec(message.payload);
        if (message.topic === '$SYS/broker/version' && build !== null) builds.push(Number(build[1]));
      }
    }
    // mosquitto clients reconnect by themselves: a second CONNECT is a connection that was lost.
    const reconnects = [...everyone, ...publishers].reduce((sum, client) => sum + Math.max(0, count(client, ' sending CONNECT') - 1), 0);
    if (pings.answered < pings.sent) errors++;
    const range: [number, number] | undefined = builds.length > 0 ? [Math.min(...builds), Math.max(...builds)] : undefined;
    return {
      work: received,
      unit: 'messages',
      errors,
      lostConnections: reconnects + lost,
      detail: `${sent * GROUPS.length} published by ${GROUPS.length} mosquitto_pub, ${received} delivered to ${listeners.length} mosquitto_sub${range === undefined ? '' : `, builds ${range[0]}-${range[1]} seen`}`,
      builds: range,
      pings,
    };
  } finally {
    await Promise.all([...everyone, ...publishers].map((client) => client.stop()));
  }
}

export const driver: Driver = {
  name: 'spread',
  packages: ['mosquitto-clients'],
  // The monitor polls five times a second, so it runs during every probe.
  args: ['--monitor-ms', '200'],
  threads: '4',
  load: loadGroups,
  verify,
};
