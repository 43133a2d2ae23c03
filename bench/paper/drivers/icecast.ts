/**
 * icecast, driven by Debian's real clients: `oggfwd` and `shout` (libshout) as sources, `curl` and
 * `ogg123 -d null` as listeners, on a test stream `oggenc` makes from a generated WAV.
 *
 * A source client connects (and authenticates) as soon as it starts, but sends nothing until its
 * stdin has data: the driver holds the stream back until the listeners are attached, so that a
 * listener there from the start must receive the source's file byte for byte. A late joiner must
 * receive the header pages, then an exact run of the source's pages from a page boundary on.
 */
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { CPUS, run, type RunResult } from '../clients';
import type { ClientView, Driver } from '../driver';
import type { Fixture } from '../fixture';

/** The relay the slave strand keeps running (a relay of this server's own /live.ogg). */
const LIVE = '/live.ogg';
const RELAY = '/relay.ogg';
const LOAD_LISTENERS = 4;
/** A late joiner of the load stays this long (curl's --max-time), then leaves. */
const LATE_STAY_S = 1.5;
const PATIENCE_MS = 15_000;

export const driver: Driver = {
  name: 'icecast',
  packages: ['oggfwd', 'libshout-tools', 'vorbis-tools', 'curl'],
  args: ['--relay', `${RELAY}=${LIVE}`],
  threads: '6',
  verify,
  load,
};

// ---- the test stream ----

export interface TestStream {
  seconds: number;
  file: string;
  bytes: Buffer;
  /** Byte offset of every page, and of the end. */
  pageOffsets: number[];
  /** Length of the header pages (granule position 0) at the start. */
  headerLength: number;
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'quiesce-icecast-'));
process.once('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));
const streams = new Map<number, TestStream>();

/** `seconds` of a 440 Hz tone with noise (so that Vorbis has something to code), 44.1 kHz mono, as Ogg Vorbis. */
export function testStream(seconds: number): TestStream {
  const cached = streams.get(seconds);
  if (cached !== undefined) return cached;
  const rate = 44100;
  const samples = rate * seconds;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0, 'latin1');
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8, 'latin1');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'latin1');
  wav.writeUInt32LE(samples * 2, 40);
  let seed = 1;
  for (let i = 0; i < samples; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const sample = 8000 * Math.sin((2 * Math.PI * 440 * i) / rate) + (seed / 2 ** 32 - 0.5) * 4000;
    wav.writeInt16LE(Math.round(sample), 44 + 2 * i);
  }
  const base = path.join(scratch, `tone-${seconds}s`);
  fs.writeFileSync(`${base}.wav`, wav);
  execFileSync('oggenc', ['-Q', '-q', '2', '-o', `${base}.ogg`, `${base}.wav`]);
  const bytes = fs.readFileSync(`${base}.ogg`);
  const pageOffsets = oggPageOffsets(bytes);
  let headerLength = 0;
  for (let i = 0; i < pageOffsets.length - 1 && bytes.readBigInt64LE(pageOffsets[i] + 6) === 0n; i++) headerLength = pageOffsets[i + 1];
  const stream = { seconds, file: `${base}.ogg`, bytes, pageOffsets, headerLength };
  streams.set(seconds, stream);
  return stream;
}

/** Where each page of a well-formed Ogg file starts (and where the file ends). */
function oggPageOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.toString('latin1', offset, offset + 4) !== 'OggS') throw new Error(`oggenc's file has no page at byte ${offset}`);
    offsets.push(offset);
    const segments = bytes[offset + 26];
    let length = 27 + segments;
    for (let i = 0; i < segments; i++) length += bytes[offset + 27 + i];
    offset += length;
  }
  offsets.push(offset);
  return offsets;
}

/**
 * Why `received` is not what a listener should get, or undefined if it is: the header pages, then
 * the source's bytes from a page boundary on (to the end if `complete`). A listener that was
 * there from the start gets the file itself.
 */
export function listenerProblem(received: Buffer, stream: TestStream, complete: boolean): string | undefined {
  const { bytes, headerLength, pageOffsets } = stream;
  if (received.length < headerLength) return `got ${received.length} bytes, fewer than the ${headerLength} of the header pages`;
  if (!received.subarray(0, headerLength).equals(bytes.subarray(0, headerLength))) return 'does not start with the header pages';
  const rest = received.subarray(headerLength);
  // A listener that joined after the last page has nothing more to get.
  if (rest.length === 0) return undefined;
  // The page the listener's live part starts with, found by its sequence number.
  if (rest.length < 27 || rest.toString('latin1', 0, 4) !== 'OggS') return 'the live part does not start at a page boundary';
  const sequence = rest.readUInt32LE(18);
  const start = pageOffsets[sequence];
  if (start === undefined || start < headerLength) return `the live part starts with page ${sequence}, which is not an audio page of the stream`;
  if (!rest.equals(bytes.subarray(start, start + rest.length))) return `the live part (from page ${sequence}) differs from the source's bytes`;
  if (complete && start + rest.length !== bytes.length) return `ended ${bytes.length - start - rest.length} bytes before the end of the stream`;
  return undefined;
}

// ---- the server's view: /admin/stats ----

export interface MountStats {
  listeners: number;
  totalBytesRead: number;
  totalBytesSent: number;
}

export interface Stats {
  serverId: string;
  /** What the server reports as its version (bumped by each update). */
  version: number;
  mounts: Map<string, MountStats>;
}

export function adminStats(fixture: Fixture): Promise<Stats> {
  const { port, adminPassword } = fixture.info as { port: number; adminPassword: string };
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/admin/stats', auth: `admin:${adminPassword}`, agent: false }, (response) => {
      let xml = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (xml += chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) return reject(new Error(`/admin/stats answered ${response.statusCode}`));
        const serverId = /<server_id>(.*?)<\/server_id>/.exec(xml)?.[1] ?? '';
        const mounts = new Map<string, MountStats>();
        for (const [, mount, fields] of xml.matchAll(/<source mount="([^"]*)">(.*?)<\/source>/g)) {
          const field = (name: string) => Number(new RegExp(`<${name}>(\\d+)</${name}>`).exec(fields)?.[1]);
          mounts.set(mount, { listeners: field('listeners'), totalBytesRead: field('total_bytes_read'), totalBytesSent: field('total_bytes_sent') });
        }
        resolve({ serverId, version: Number(/v(\d+)$/.exec(serverId)?.[1]), mounts });
      });
    });
    request.on('error', reject);
  });
}

async function until(fixture: Fixture, what: string, done: (stats: Stats) => boolean): Promise<Stats> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const stats = await adminStats(fixture);
    if (done(stats)) return stats;
    if (Date.now() > deadline) throw new Error(`icecast: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---- the real clients ----

interface Source {
  /** Send the stream to the client's stdin, and end it. */
  feed(bytes: Buffer): void;
  /** End its stdin if that has not been done (the client then leaves). */
  close(): void;
  done: Promise<RunResult>;
}

/** Start a source client: it connects and authenticates at once, then streams what `feed` gives it, paced in real time. */
function startSource(client: 'oggfwd' | 'shout', fixture: Fixture, mount: string, timeoutMs: number): Source {
  const { port, password } = fixture.info as { port: number; password: string };
  const args =
    client === 'oggfwd'
      ? ['oggfwd', '127.0.0.1', String(port), password, mount]
      : ['shout', '--host', '127.0.0.1', '--port', String(port), '--pass', password, '--mount', mount, '--format', 'ogg'];
  const argv = CPUS.client ? ['taskset', '-c', CPUS.client, ...args] : args;
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  // The client may fail before it reads its stdin; its exit code says so.
  child.stdin.on('error', () => {});
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<RunResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() });
    });
  });
  return { feed: (bytes) => child.stdin.end(bytes), close: () => child.stdin.writableEnded || child.stdin.end(), done };
}

interface Listened {
  result: RunResult;
  received: Buffer;
}

/** curl as a listener, saving what it receives. */
async function curlListener(fixture: Fixture, mount: string, file: string, timeoutMs: number, maxTimeS?: number): Promise<Listened> {
  const { port } = fixture.info as { port: number };
  const limit = maxTimeS === undefined ? [] : ['--max-time', String(maxTimeS)];
  const result = await run('curl', ['-sS', '--fail', ...limit, '-o', file, `http://127.0.0.1:${port}${mount}`], { timeoutMs, cpus: CPUS.client });
  const received = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
  return { result, received };
}

function ogg123(target: string, timeoutMs: number): Promise<RunResult> {
  return run('ogg123', ['-d', 'null', target], { timeoutMs, cpus: CPUS.client });
}

/** Why ogg123 did not decode `target` cleanly, or undefined. */
function decodeProblem(what: string, result: RunResult): string | undefined {
  const output = (result.stdout + result.stderr).replace(/\r/g, '\n');
  if (result.code !== 0) return `${what}: ogg123 exited with ${result.code ?? result.signal}: ${output.trim().slice(-300)}`;
  if (!output.includes('Ogg Vorbis stream') || !output.includes('Done.')) return `${what}: ogg123 did not decode a Vorbis stream to its end: ${output.trim().slice(-300)}`;
  if (/error|corrupt/i.test(output)) return `${what}: ogg123 reported: ${output.trim().slice(-300)}`;
  return undefined;
}

function sourceProblem(client: string, result: RunResult, stream: TestStream): string | undefined {
  if (result.code !== 0) return `${client} exited with ${result.code ?? result.signal}: ${(result.stdout + result.stderr).trim()}`;
  if (client === 'oggfwd' && !result.stdout.includes(`Total bytes read: ${stream.bytes.length}`)) return `oggfwd did not read the whole stream: ${result.stdout.trim()}`;
  return undefined;
}

function workDir(): string {
  return fs.mkdtempSync(path.join(scratch, 'run-'));
}

// ---- verify ----

async function verify(fixture: Fixture): Promise<void> {
  const stream = testStream(3);
  const dir = workDir();
  const timeoutMs = PATIENCE_MS * 2;
  // The previous run's mounts must be gone, and their listeners served, before /live.ogg can be taken again.
  await until(fixture, 'the previous mounts to go', (stats) => !stats.mounts.has(LIVE) && !stats.mounts.has(RELAY));
  const source = startSource('oggfwd', fixture, LIVE, timeoutMs);
  try {
    await until(fixture, `oggfwd to mount ${LIVE} and the relay to mount ${RELAY}`, (stats) => stats.mounts.has(LIVE) && stats.mounts.has(RELAY));
    const early = curlListener(fixture, LIVE, path.join(dir, 'early.ogg'), timeoutMs);
    const relayed = curlListener(fixture, RELAY, path.join(dir, 'relayed.ogg'), timeoutMs);
    const decoded = ogg123(`http://127.0.0.1:${(fixture.info as { port: number }).port}${LIVE}`, timeoutMs);
    // curl, ogg123 and the relay on /live.ogg; curl on /relay.ogg.
    await until(fixture, 'the listeners to be attached', (stats) => stats.mounts.get(LIVE)?.listeners === 3 && stats.mounts.get(RELAY)?.listeners === 1);
    source.feed(stream.bytes);
    await until(fixture, 'half of the stream to be sent', (stats) => (stats.mounts.get(LIVE)?.totalBytesRead ?? 0) >= stream.bytes.length / 2);
    const late = curlListener(fixture, LIVE, path.join(dir, 'late.ogg'), timeoutMs);

    const problems: (string | undefined)[] = [];
    problems.push(sourceProblem('oggfwd', await source.done, stream));
    for (const [what, listened] of [['curl from the start', await early], [`curl on the relay ${RELAY}`, await relayed]] as const) {
      if (listened.result.code !== 0) problems.push(`${what}: curl exited with ${listened.result.code}: ${listened.result.stderr.trim()}`);
      else if (!listened.received.equals(stream.bytes)) problems.push(`${what}: got ${listened.received.length} bytes, not the source's ${stream.bytes.length} bytes`);
    }
    problems.push(decodeProblem('ogg123 from the start', await decoded));
    const { result, received } = await late;
    if (result.code !== 0) problems.push(`late joiner: curl exited with ${result.code}: ${result.stderr.trim()}`);
    else {
      const problem = listenerProblem(received, stream, true);
      if (problem !== undefined) problems.push(`late joiner: ${problem}`);
      else if (received.length >= stream.bytes.length) problems.push('late joiner: it got the whole stream, so it did not join late');
      else problems.push(decodeProblem('ogg123 on what the late joiner got', await ogg123(path.join(dir, 'late.ogg'), timeoutMs)));
    }
    const found = problems.filter((problem) => problem !== undefined);
    if (found.length > 0) throw new Error(`icecast verify:\n- ${found.join('\n- ')}`);
  } finally {
    source.close();
    await source.done;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- load ----

let loads = 0;

/**
 * `shout` streams a test stream of about durationMs to a mount of its own while LOAD_LISTENERS
 * curl listeners are connected from the start, and a curl late joiner comes and goes every
 * ~700 ms. Work: bytes the listeners received. Errors: a client that failed or bytes that are not
 * the source's. Lost connections: listeners cut off before the stream ended or they left.
 */
async function load(fixture: Fixture, durationMs: number): Promise<ClientView> {
  const stream = testStream(Math.max(2, Math.round(durationMs / 1000)));
  const mount = `/load-${++loads}.ogg`;
  const dir = workDir();
  const timeoutMs = durationMs + PATIENCE_MS * 2;
  const source = startSource('shout', fixture, mount, timeoutMs);
  try {
    await until(fixture, `shout to mount ${mount}`, (stats) => stats.mounts.has(mount));
    const listeners = Array.from({ length: LOAD_LISTENERS }, (_, i) => curlListener(fixture, mount, path.join(dir, `listener-${i}.ogg`), timeoutMs));
    await until(fixture, 'the listeners to be attached', (stats) => stats.mounts.get(mount)?.listeners === LOAD_LISTENERS);
    source.feed(stream.bytes);
    // The source sends its last page no sooner than about half a second before the stream's length:
    // a late joiner that came after the mount has gone would be turned away (404), rightly.
    const lastJoin = Date.now() + stream.seconds * 1000 - 1500;
    const lateJoiners: Promise<Listened>[] = [];
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      if (Date.now() > lastJoin) break;
      lateJoiners.push(curlListener(fixture, mount, path.join(dir, `late-${lateJoiners.length}.ogg`), timeoutMs, LATE_STAY_S));
    }

    let work = 0;
    let errors = 0;
    let lostConnections = 0;
    const problems: string[] = [];
    const sourceFailure = sourceProblem('shout', await source.done, stream);
    if (sourceFailure !== undefined) {
      errors++;
      problems.push(sourceFailure);
    }
    /** Count what is wrong with a listener; true if nothing is. */
    const check = (what: string, { result, received }: Listened, leavesEarly: boolean): boolean => {
      work += received.length;
      const fail = (counter: 'errors' | 'lost', problem: string) => {
        if (counter === 'errors') errors++;
        else lostConnections++;
        problems.push(`${what}: ${problem}`);
        return false;
      };
      // curl: 0 the server ended the stream, 28 the listener left (--max-time), 18 or 56 the connection was cut.
      if (result.code === 18 || result.code === 56) {
        const problem = listenerProblem(received, stream, false);
        return problem === undefined ? fail('lost', `connection cut (curl ${result.code})`) : fail('errors', problem);
      }
      if (result.code === 0 || (result.code === 28 && leavesEarly)) {
        const problem = listenerProblem(received, stream, result.code === 0);
        return problem === undefined || fail(problem.startsWith('ended') ? 'lost' : 'errors', problem);
      }
      return fail('errors', `curl exited with ${result.code ?? result.signal}: ${result.stderr.trim()}`);
    };
    for (const [i, listened] of (await Promise.all(listeners)).entries()) {
      if (check(`listener ${i}`, listened, false) && !listened.received.equals(stream.bytes)) {
        errors++;
        problems.push(`listener ${i}: there from the start, but did not get the source's file byte for byte`);
      }
    }
    for (const [i, listened] of (await Promise.all(lateJoiners)).entries()) check(`late joiner ${i}`, listened, true);
    return {
      work,
      unit: 'bytes',
      errors,
      lostConnections,
      detail:
        `shout streamed ${stream.bytes.length} bytes (${stream.pageOffsets.length - 1} pages) to ${mount}; ` +
        `${LOAD_LISTENERS} curl listeners from the start, ${lateJoiners.length} late joiners` +
        (problems.length > 0 ? `; ${problems.slice(0, 5).join('; ')}` : ''),
    };
  } finally {
    source.close();
    await source.done;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
