/**
 * suricata, driven by tcpreplay and tcpdump: a pcap of loopback traffic whose alerts under
 * fixtures/suricata/suricata.rules are known packet by packet is fed to the IDS from the file, and
 * live: `tcpreplay -i lo` replays it while `tcpdump -i lo -U -w -` captures it, its output piped
 * into a capture session of the IDS. The alerts in eve.json (which packet, which sid) and the
 * session's summary must match exactly.
 *
 * The pcap is built here, as tcpdump on lo records loopback traffic (zero MACs, 127.0.0.0/8), with
 * valid IPv4, TCP and UDP checksums. Replayed on lo, these frames reach the IP layer with a loopback
 * source but no route attached, which Linux drops as martians: only the capture sees them, so the
 * replay touches no socket on the machine. Every flow uses a client port in CLIENT_PORTS, which no
 * other loopback traffic does (ephemeral ports start at 32768), and the capture filter selects it.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { CPUS, run } from '../clients';
import type { ClientView, Driver } from '../driver';
import { ROOT, type Fixture } from '../fixture';

export const RULES = path.join(ROOT, 'fixtures/suricata/suricata.rules');
const CLIENT_PORTS = [20000, 20099] as const;
/** The capture filter: the replayed flows, and the ARP frame the IDS must pass over. */
const FILTER = `arp or portrange ${CLIENT_PORTS[0]}-${CLIENT_PORTS[1]}`;
const LOAD_PPS = 1000;
/**
 * tcpdump's capture ring and snap length. In immediate mode the ring has one slot per frame, sized
 * by the snap length (capped by lo's 64 KiB MTU): the defaults hold about 16 frames, 16 ms of load
 * while tcpdump waits for a busy core. Every replayed frame is shorter than SNAPLEN (PcapWriter
 * checks), so nothing is cut, and 16 MiB of 4 KiB slots ride out several seconds.
 */
const SNAPLEN = 4096;
const CAPTURE_BUFFER_KIB = 16384;
/** How long past its due time a replay may take before it is cut off. */
const CLIENT_LIMIT_MS = 10_000;

/** What the IDS answers at the end of a capture session (fixtures/suricata/main.ts, Summary). */
export interface Summary {
  capture: number;
  packets: number;
  inspected: number;
  skipped: number;
  decodeErrors: Record<string, number>;
  alerts: number;
  generation: number;
  error?: string;
}

/** One eve.json alert: which packet of the capture, which rule. */
export interface EveAlert {
  capture: number;
  packet: number;
  sid: number;
}

/** A built pcap and what the rule set must make of it. */
export interface Traffic {
  file: string;
  packets: number;
  /** Per packet (1-based pcap_cnt order), the sids that must alert on it. */
  expected: number[][];
  skipped: number;
  decodeErrors: Record<string, number>;
}

export const driver: Driver = {
  name: 'suricata',
  packages: ['tcpdump', 'tcpreplay'],
  args: ['-S', RULES, '--listen', '0', '--detect-threads', '3'],
  threads: '8 + c (c = 3)',

  async verify(fixture) {
    const traffic = buildTraffic();
    const fromFile = await feedFile(fixture, traffic.file);
    checkCapture(fixture, traffic, fromFile, 'from the pcap file');
    const live = await replayLive(fixture, traffic, 1, LOAD_PPS);
    checkCapture(fixture, traffic, live.result, 'replayed live');
  },

  async load(fixture, durationMs) {
    const traffic = buildTraffic();
    const loops = Math.max(1, Math.round(((durationMs / 1000) * LOAD_PPS) / traffic.packets));
    const live = await replayLive(fixture, traffic, loops, LOAD_PPS);
    return loadView(fixture, traffic, loops, live);
  },
};

// ---- Feeding the IDS ---------------------------------------------------------------------------

/** Open a capture session, let `feed` stream a pcap into it, and read the summary it answers with. */
function captureSession(fixture: Fixture, feed: (socket: net.Socket) => void): Promise<Summary> {
  const port = fixture.info.port as number;
  return new Promise<Summary>((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const reply: Buffer[] = [];
    socket.on('connect', () => feed(socket));
    socket.on('data', (chunk: Buffer) => reply.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      socket.end();
      const text = Buffer.concat(reply).toString().trim();
      if (text === '') reject(new Error('suricata closed the capture session without a summary'));
      else resolve(JSON.parse(text) as Summary);
    });
  });
}

/** The pcap file's bytes as one capture session. */
export function feedFile(fixture: Fixture, file: string): Promise<Summary> {
  return captureSession(fixture, (socket) => fs.createReadStream(file).pipe(socket));
}

export interface LiveRun<T = Summary> {
  /** What the IDS made of the capture. */
  result: T;
  /** tcpreplay's own summary line. */
  replayed: string;
  /** Packets tcpdump captured and the kernel dropped, from its exit report. */
  captured: number;
  dropped: number;
}

/** tcpdump's output piped into a capture session of the running IDS. */
export function replayLive(fixture: Fixture, traffic: Traffic, loops: number, pps: number): Promise<LiveRun> {
  return liveCapture(traffic, loops, pps, (capture) => captureSession(fixture, (socket) => capture.pipe(socket)));
}

/**
 * `tcpdump -i lo -U -w - <filter>`, its output handed to `into`, while `tcpreplay -i lo` sends the
 * pcap `loops` times at `pps` packets a second. tcpdump exits by itself after capturing every
 * packet sent (-c), bounded by a time limit should any go missing.
 */
export async function liveCapture<T>(traffic: Traffic, loops: number, pps: number, into: (capture: Readable) => Promise<T>): Promise<LiveRun<T>> {
  const count = traffic.packets * loops;
  const limitMs = (count / pps) * 1000 + CLIENT_LIMIT_MS;
  const dumpArgs = ['-i', 'lo', '-U', '--immediate-mode', '-B', String(CAPTURE_BUFFER_KIB), '-s', String(SNAPLEN), '-n', '-c', String(count), '-w', '-', FILTER];
  const [file, argv] = CPUS.client ? ['taskset', ['-c', CPUS.client, 'tcpdump', ...dumpArgs]] : ['tcpdump', dumpArgs];
  const tcpdump = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => tcpdump.once('close', (code) => resolve(code)));
  let stderr = '';
  const listening = new Promise<void>((resolve, reject) => {
    tcpdump.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('listening on')) resolve();
    });
    tcpdump.once('error', reject);
    void exited.then(() => reject(new Error(`tcpdump exited before it was listening: ${stderr}`)));
  });
  const timer = setTimeout(() => tcpdump.kill('SIGINT'), limitMs);
  try {
    const result = into(tcpdump.stdout);
    // Awaited below; should the replay fail first, its rejection must not go unhandled.
    result.catch(() => {});
    await listening;
    const replay = await run('tcpreplay', ['-i', 'lo', `--loop=${loops}`, `--pps=${pps}`, '--preload-pcap', traffic.file], { timeoutMs: limitMs, cpus: CPUS.client });
    if (replay.code !== 0) throw new Error(`tcpreplay exited with ${replay.code ?? replay.signal}: ${replay.stderr}${replay.stdout}`);
    const code = await exited;
    if (code !== 0) throw new Error(`tcpdump exited with ${code}: ${stderr}`);
    return {
      result: await result,
      replayed: /^Actual: .*$/m.exec(replay.stdout)?.[0] ?? replay.stdout.trim(),
      captured: Number(/(\d+) packets? captured/.exec(stderr)?.[1] ?? NaN),
      dropped: Number(/(\d+) packets? dropped by kernel/.exec(stderr)?.[1] ?? NaN),
    };
  } finally {
    clearTimeout(timer);
    if (tcpdump.exitCode === null) tcpdump.kill('SIGINT');
  }
}

// ---- Checking what the IDS made of it ----------------------------------------------------------

/** The alerts eve.json holds for capture session `capture`. */
export function eveAlerts(fixture: Fixture, capture: number): EveAlert[] {
  const eve = fs.readFileSync(fixture.info.eveLog as string, 'utf8');
  return eve
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { event_type: string; capture_id: number; pcap_cnt: number; alert: { signature_id: number } })
    .filter((event) => event.event_type === 'alert' && event.capture_id === capture)
    .map((event) => ({ capture, packet: event.pcap_cnt, sid: event.alert.signature_id }));
}

function sortAlerts(alerts: Array<{ packet: number; sid: number }>): string[] {
  return alerts.map((alert) => `packet ${alert.packet}: sid ${alert.sid}`).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** One pass of the pcap through the IDS: the summary and every eve.json alert exactly as expected. */
function checkCapture(fixture: Fixture, traffic: Traffic, summary: Summary, how: string): void {
  const fail = (message: string): never => {
    throw new Error(`suricata, ${how}: ${message}`);
  };
  if (summary.error !== undefined) fail(`the capture failed: ${summary.error}`);
  const expectedAlerts = traffic.expected.flatMap((sids, i) => sids.map((sid) => ({ packet: i + 1, sid })));
  const counts = {
    packets: [summary.packets, traffic.packets],
    inspected: [summary.inspected, traffic.packets - traffic.skipped - sum(Object.values(traffic.decodeErrors))],
    skipped: [summary.skipped, traffic.skipped],
    alerts: [summary.alerts, expectedAlerts.length],
  };
  for (const [what, [seen, wanted]] of Object.entries(counts)) if (seen !== wanted) fail(`${what}: ${seen}, expected ${wanted}`);
  if (JSON.stringify(sortKeys(summary.decodeErrors)) !== JSON.stringify(sortKeys(traffic.decodeErrors))) {
    fail(`decoder errors ${JSON.stringify(summary.decodeErrors)}, expected ${JSON.stringify(traffic.decodeErrors)}`);
  }
  const seen = sortAlerts(eveAlerts(fixture, summary.capture));
  const wanted = sortAlerts(expectedAlerts);
  const missing = wanted.filter((alert) => !seen.includes(alert));
  const extra = seen.filter((alert) => !wanted.includes(alert));
  if (missing.length > 0 || extra.length > 0 || seen.length !== wanted.length) {
    fail(`eve.json alerts differ: missing [${missing.join('; ')}], unexpected [${extra.join('; ')}]`);
  }
}

/**
 * The client's view of a load run: packets the IDS processed; errors are packets lost between
 * tcpreplay and the IDS, and alerts or decoder errors that differ from `loops` passes of the pcap.
 */
function loadView(fixture: Fixture, traffic: Traffic, loops: number, live: LiveRun): ClientView {
  const summary = live.result;
  const bySid = new Map<number, number>();
  for (const alert of eveAlerts(fixture, summary.capture)) bySid.set(alert.sid, (bySid.get(alert.sid) ?? 0) + 1);
  const wantedBySid = new Map<number, number>();
  for (const sid of traffic.expected.flat()) wantedBySid.set(sid, (wantedBySid.get(sid) ?? 0) + loops);
  let wrongAlerts = 0;
  for (const sid of new Set([...bySid.keys(), ...wantedBySid.keys()])) wrongAlerts += Math.abs((bySid.get(sid) ?? 0) - (wantedBySid.get(sid) ?? 0));
  const decodeErrors = sum(Object.values(summary.decodeErrors));
  const wantedDecodeErrors = loops * sum(Object.values(traffic.decodeErrors));
  const lost = Math.abs(traffic.packets * loops - summary.packets);
  return {
    work: summary.packets,
    unit: 'packets',
    errors: lost + wrongAlerts + Math.abs(decodeErrors - wantedDecodeErrors) + (summary.error === undefined ? 0 : 1),
    lostConnections: 0,
    detail:
      `tcpreplay ${live.replayed}; tcpdump: ${live.captured} captured, ${live.dropped} dropped by kernel; ` +
      `IDS: ${summary.packets} packets, ${summary.alerts} alerts (${loops} x ${traffic.expected.flat().length} expected), ` +
      `${decodeErrors} decoder errors, rule set generation ${summary.generation}${summary.error === undefined ? '' : `, error: ${summary.error}`}`,
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function sortKeys(record: Record<string, number>): Array<[string, number]> {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

// ---- The traffic -------------------------------------------------------------------------------

const SID = {
  passwd: 1000001,
  admin: 1000002,
  serverError: 1000003,
  shell: 1000004,
  evilQuery: 1000005,
  quarantined: 1000006,
  sqlInjection: 1000007,
} as const;

type Endpoint = readonly [address: string, port: number];

interface Exchange {
  from: 'client' | 'server';
  data: string | Buffer;
  /** Sids this data segment must raise, beside the flow's `every`. */
  alerts?: number[];
}

/** Builds frames the way the loopback interface carries them, with each frame's expected sids. */
class PcapWriter {
  private readonly records: Buffer[] = [];
  readonly expected: number[][] = [];
  private ipId = 1;
  /** 2024-01-01T00:00:00Z; one millisecond between packets. */
  private time = 1704067200 * 1_000_000;

  frame(frame: Buffer, alerts: number[]): void {
    if (frame.length > SNAPLEN) throw new RangeError(`a ${frame.length}-byte frame would be cut by the capture's snap length ${SNAPLEN}`);
    const header = Buffer.alloc(16);
    header.writeUInt32LE(Math.floor(this.time / 1_000_000), 0);
    header.writeUInt32LE(this.time % 1_000_000, 4);
    header.writeUInt32LE(frame.length, 8);
    header.writeUInt32LE(frame.length, 12);
    this.records.push(header, frame);
    this.expected.push([...alerts].sort((a, b) => a - b));
    this.time += 1000;
  }

  ipv4(src: string, dst: string, proto: number, transport: Buffer, options: { badChecksum?: boolean } = {}): Buffer {
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + transport.length, 2);
    ip.writeUInt16BE(this.ipId++ & 0xffff, 4);
    ip.writeUInt16BE(0x4000, 6);
    ip[8] = 64;
    ip[9] = proto;
    address(src).copy(ip, 12);
    address(dst).copy(ip, 16);
    ip.writeUInt16BE(checksum([ip]) ^ (options.badChecksum ? 0x5555 : 0), 10);
    return ethernet(0x0800, Buffer.concat([ip, transport]));
  }

  /** A whole TCP conversation: handshake, each exchange acknowledged, FIN from both sides. */
  tcpFlow(client: Endpoint, server: Endpoint, exchanges: Exchange[], every: number[] = []): void {
    const seq = { client: 1_000_000, server: 5_000_000 };
    const send = (from: 'client' | 'server', flags: number, data: Buffer, alerts: number[]) => {
      const [src, dst] = from === 'client' ? [client, server] : [server, client];
      const to = from === 'client' ? 'server' : 'client';
      const ack = flags & TCP.SYN && !(flags & TCP.ACK) ? 0 : seq[to];
      this.frame(this.ipv4(src[0], dst[0], 6, tcp(src, dst, seq[from], ack, flags, data)), [...every, ...alerts]);
      seq[from] = (seq[from] + data.length + (flags & (TCP.SYN | TCP.FIN) ? 1 : 0)) >>> 0;
    };
    const none = Buffer.alloc(0);
    send('client', TCP.SYN, none, []);
    send('server', TCP.SYN | TCP.ACK, none, []);
    send('client', TCP.ACK, none, []);
    for (const exchange of exchanges) {
      send(exchange.from, TCP.PSH | TCP.ACK, Buffer.from(exchange.data), exchange.alerts ?? []);
      send(exchange.from === 'client' ? 'server' : 'client', TCP.ACK, none, []);
    }
    send('client', TCP.FIN | TCP.ACK, none, []);
    send('server', TCP.FIN | TCP.ACK, none, []);
    send('client', TCP.ACK, none, []);
  }

  udp(client: Endpoint, server: Endpoint, data: Buffer, alerts: number[]): void {
    const udp = Buffer.alloc(8 + data.length);
    udp.writeUInt16BE(client[1], 0);
    udp.writeUInt16BE(server[1], 2);
    udp.writeUInt16BE(udp.length, 4);
    data.copy(udp, 8);
    udp.writeUInt16BE(checksum([pseudoHeader(client[0], server[0], 17, udp.length), udp]) || 0xffff, 6);
    this.frame(this.ipv4(client[0], server[0], 17, udp), alerts);
  }

  write(file: string): void {
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(262144, 16);
    header.writeUInt32LE(1, 20);
    fs.writeFileSync(file, Buffer.concat([header, ...this.records]));
  }
}

const TCP = { FIN: 0x01, SYN: 0x02, PSH: 0x08, ACK: 0x10 } as const;

function address(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

/** Loopback frames carry zero MAC addresses. */
function ethernet(etherType: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(14);
  header.writeUInt16BE(etherType, 12);
  return Buffer.concat([header, payload]);
}

function pseudoHeader(src: string, dst: string, proto: number, length: number): Buffer {
  const header = Buffer.alloc(12);
  address(src).copy(header, 0);
  address(dst).copy(header, 4);
  header[9] = proto;
  header.writeUInt16BE(length, 10);
  return header;
}

function checksum(parts: Buffer[]): number {
  const data = Buffer.concat(parts);
  let total = 0;
  for (let i = 0; i < data.length; i += 2) total += (data[i] << 8) | (data[i + 1] ?? 0);
  while (total > 0xffff) total = (total & 0xffff) + (total >>> 16);
  return ~total & 0xffff;
}

function tcp(src: Endpoint, dst: Endpoint, seq: number, ack: number, flags: number, data: Buffer): Buffer {
  const segment = Buffer.alloc(20 + data.length);
  segment.writeUInt16BE(src[1], 0);
  segment.writeUInt16BE(dst[1], 2);
  segment.writeUInt32BE(seq, 4);
  segment.writeUInt32BE(ack, 8);
  segment[12] = 5 << 4;
  segment[13] = flags;
  segment.writeUInt16BE(65495, 14);
  data.copy(segment, 20);
  segment.writeUInt16BE(checksum([pseudoHeader(src[0], dst[0], 6, segment.length), segment]), 16);
  return segment;
}

function httpRequest(target: string, headers: string[] = []): string {
  return [`GET ${target} HTTP/1.1`, 'Host: 127.0.0.1:8080', 'User-Agent: curl/7.88.1', 'Accept: */*', ...headers, '', ''].join('\r\n');
}

function httpResponse(status: string, body: string): string {
  return [`HTTP/1.1 ${status}`, 'Content-Type: text/plain', `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

/** A DNS-like query: id, flags, one question for `name`, type A (00 01), class IN (00 01). */
function query(name: string, withType = true): Buffer {
  const labels = name.split('.').flatMap((label) => [Buffer.from([label.length]), Buffer.from(label)]);
  return Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0]), Buffer.from(withType ? [0, 1, 0, 1] : [])]);
}

let built: Traffic | undefined;

/**
 * The pcap, written once per process into the tmpdir. Every frame says which sids it must raise,
 * from the rules' meaning (fixtures/suricata/suricata.rules), not from running them.
 */
export function buildTraffic(): Traffic {
  if (built !== undefined) return built;
  const pcap = new PcapWriter();
  const http: Endpoint = ['127.0.0.1', 8080];
  const client = (n: number): Endpoint => ['127.0.0.1', CLIENT_PORTS[0] + n];

  // Ordinary requests; /bin/sh to port 8080 is exempt from the shell rule, the upper-case path from the passwd rule.
  pcap.tcpFlow(client(1), http, [
    { from: 'client', data: httpRequest('/index.html?shell=/bin/sh') },
    { from: 'server', data: httpResponse('200 OK', 'hello\n') },
    { from: 'client', data: httpRequest('/ETC/PASSWD') },
    { from: 'server', data: httpResponse('404 Not Found', 'HTTP/1.1 500 is only in the body\n') },
  ]);
  // The passwd rule, the admin rule (any case) and both at once; a 500 answer alerts at the start only.
  pcap.tcpFlow(client(2), http, [
    { from: 'client', data: httpRequest('/etc/passwd'), alerts: [SID.passwd] },
    { from: 'server', data: httpResponse('500 Internal Server Error', 'oops\n'), alerts: [SID.serverError] },
    { from: 'client', data: httpRequest('/Admin/login'), alerts: [SID.admin] },
    { from: 'server', data: httpResponse('200 OK', 'welcome\n') },
    { from: 'client', data: httpRequest('/ADMIN/../etc/passwd'), alerts: [SID.passwd, SID.admin] },
    { from: 'server', data: httpResponse('403 Forbidden', 'no\n') },
  ]);
  // /bin/sh outside HTTP, in both directions; SQL injection on any port unless the scanner says it is safe.
  pcap.tcpFlow(client(3), ['127.0.0.1', 2323], [
    { from: 'client', data: 'exec /bin/sh -i\n', alerts: [SID.shell] },
    { from: 'server', data: 'started /bin/sh\n', alerts: [SID.shell] },
  ]);
  pcap.tcpFlow(client(4), http, [
    { from: 'client', data: httpRequest('/q?id=1%20UNION%20SELECT%20password'), alerts: [] },
    { from: 'client', data: httpRequest('/q?id=1 Union Select password'), alerts: [SID.sqlInjection] },
    { from: 'client', data: httpRequest('/q?id=1 union select password', ['X-Scanner: SAFE']) },
    { from: 'server', data: httpResponse('200 OK', 'union select is fine in a response to a client port\n'), alerts: [SID.sqlInjection] },
  ]);
  // The quarantined host: every packet of its flow, in both directions, whatever it carries.
  pcap.tcpFlow(['127.0.0.2', CLIENT_PORTS[0] + 5], ['127.0.0.1', 9000], [{ from: 'client', data: 'ping\n' }, { from: 'server', data: 'pong\n' }], [SID.quarantined]);
  // UDP: both contents are needed, and port 5353.
  pcap.udp(client(6), ['127.0.0.1', 5353], query('www.EVIL.example'), [SID.evilQuery]);
  pcap.udp(client(6), ['127.0.0.1', 5353], query('www.good.example'), []);
  pcap.udp(client(6), ['127.0.0.1', 5353], query('evil.example', false), []);
  pcap.udp(client(7), ['127.0.0.1', 5354], query('evil.example'), []);
  // Frames the decoder must refuse or pass over: a bad IPv4 header checksum (its /etc/passwd is never
  // inspected), a TCP header cut short after its ports, and ARP.
  pcap.frame(pcap.ipv4('127.0.0.1', '127.0.0.1', 6, tcp(client(8), http, 1, 0, TCP.PSH | TCP.ACK, Buffer.from(httpRequest('/etc/passwd'))), { badChecksum: true }), []);
  pcap.frame(pcap.ipv4('127.0.0.1', '127.0.0.1', 6, tcp(client(9), http, 1, 0, TCP.SYN, Buffer.alloc(0)).subarray(0, 8)), []);
  pcap.frame(ethernet(0x0806, Buffer.from('0001080006040001000000000000' + '7f000001' + '000000000000' + '7f000002', 'hex')), []);

  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'quiesce-suricata-traffic-')), 'loopback.pcap');
  pcap.write(file);
  process.once('exit', () => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
  built = { file, packets: pcap.expected.length, expected: pcap.expected, skipped: 1, decodeErrors: { 'ipv4.checksum': 1, 'tcp.truncated': 1 } };
  return built;
}
