/**
 * iperf, driven by Debian's iperf 2.1.8 client. The client reports every stream's bytes (-y C:
 * one CSV line per stream, with both ports); the server prints a JSON line per stream on stdout.
 * They must agree on every stream, in each direction: the client sending (plain, -P 4), the server
 * sending on the client's connection (-R), and the server connecting back to the client's
 * listener (-d).
 */
import * as net from 'node:net';
import { CPUS, run } from '../clients';
import type { ClientView, Driver } from '../driver';
import type { Fixture } from '../fixture';

/** A stream as the client reports it. */
interface ClientStream {
  ports: string;
  bytes: number;
  bitsPerSecond: number;
}

/** A stream as the server reports it (fixtures/iperf/reports.ts). */
interface ServerStream {
  direction: 'received' | 'sent';
  local: { port: number };
  peer: { port: number };
  bytes: number;
  error?: string;
  version: number;
}

interface Comparison {
  client: ClientStream[];
  server: ServerStream[];
  /** Streams whose byte counts differ, or that only one side reported. */
  mismatches: string[];
}

const CLIENT_SLACK_MS = 20_000;
/** How long the server's report of a stream may trail the client's exit. */
const REPORT_PATIENCE_MS = 5000;

export const driver: Driver = {
  name: 'iperf',
  packages: ['iperf'],
  args: ['-i', '1'],
  captureStdout: true,
  threads: '3 + n (n = 1)',

  async verify(fixture) {
    const tests: Array<{ name: string; args: () => Promise<string[]>; streams: number }> = [
      { name: 'one stream', args: async () => ['-t', '2'], streams: 1 },
      { name: '-P 4', args: async () => ['-t', '1', '-P', '4'], streams: 4 },
      { name: '-R', args: async () => ['-t', '1', '-R'], streams: 1 },
      { name: '-d', args: async () => ['-t', '1', '-d', '-L', String(await freePort())], streams: 2 },
    ];
    for (const test of tests) {
      const { result, comparison } = await measure(fixture, await test.args(), CPUS.client);
      const summary = `iperf ${test.name}: client ${JSON.stringify(comparison.client)}, server ${JSON.stringify(comparison.server)}; ${result.stderr}`;
      if (result.code !== 0) throw new Error(`iperf: client exited with ${result.code ?? result.signal}: ${summary}`);
      if (comparison.client.length !== test.streams) throw new Error(`iperf: expected ${test.streams} streams: ${summary}`);
      if (comparison.mismatches.length > 0) throw new Error(`iperf: client and server disagree: ${comparison.mismatches.join('; ')}; ${summary}`);
      if (comparison.client.some((stream) => stream.bytes === 0)) throw new Error(`iperf: a stream moved no bytes: ${summary}`);
    }
  },

  async load(fixture, durationMs) {
    const seconds = Math.max(1, durationMs / 1000);
    const { result, comparison } = await measure(fixture, ['-t', seconds.toFixed(2)], CPUS.client);
    const failed = result.code !== 0 || comparison.client.length === 0;
    return {
      work: comparison.client.reduce((sum, stream) => sum + stream.bytes, 0),
      unit: 'bytes',
      errors: (failed ? 1 : 0) + comparison.mismatches.length,
      lostConnections: comparison.server.filter((stream) => stream.error !== undefined).length,
      detail: [
        ...comparison.client.map((stream) => `${stream.ports}: ${stream.bytes} bytes at ${(stream.bitsPerSecond / 1e9).toFixed(2)} Gbit/s`),
        ...comparison.mismatches,
        result.stderr.trim(),
      ]
        .filter((line) => line !== '')
        .join('; '),
    } satisfies ClientView;
  },
};

/** Run the client with `args`, then compare its streams with the server's reports of them. */
export async function measure(fixture: Fixture, args: string[], cpus?: string): Promise<{ result: Awaited<ReturnType<typeof run>>; comparison: Comparison }> {
  const mark = fixture.output().length;
  const time = args.indexOf('-t');
  // iperf's default test lasts 10 s.
  const seconds = time < 0 ? 10 : Number(args[time + 1]);
  const result = await run('iperf', ['-c', '127.0.0.1', '-p', String(fixture.info.port), '-y', 'C', ...args], {
    timeoutMs: seconds * 1000 + CLIENT_SLACK_MS,
    cpus,
  });
  const client = parseCsv(result.stdout);
  const server = await serverStreams(fixture, mark, client.length);
  return { result, comparison: compare(client, server) };
}

/** iperf -y C: timestamp,source,source port,destination,destination port,id,interval,bytes,bits/s. */
function parseCsv(output: string): ClientStream[] {
  return output
    .split('\n')
    .map((line) => line.split(','))
    .filter((fields) => fields.length === 9 && fields[5] !== '-1')
    .map((fields) => ({ ports: portPair(Number(fields[2]), Number(fields[4])), bytes: Number(fields[7]), bitsPerSecond: Number(fields[8]) }));
}

function portPair(a: number, b: number): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}

/** The streams the server reported since `mark`, once there are `expected` of them (or the patience runs out). */
async function serverStreams(fixture: Fixture, mark: number, expected: number): Promise<ServerStream[]> {
  const deadline = Date.now() + REPORT_PATIENCE_MS;
  for (;;) {
    const streams = fixture
      .output()
      .slice(mark)
      .split('\n')
      .filter((line) => line.startsWith('{"event":"stream"'))
      .map((line) => JSON.parse(line) as ServerStream);
    if (streams.length >= expected || Date.now() > deadline) return streams;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function compare(client: ClientStream[], server: ServerStream[]): Comparison {
  const byPorts = new Map(server.map((stream) => [portPair(stream.local.port, stream.peer.port), stream]));
  const mismatches: string[] = [];
  for (const stream of client) {
    const seen = byPorts.get(stream.ports);
    byPorts.delete(stream.ports);
    if (seen === undefined) mismatches.push(`${stream.ports}: the server reported no stream`);
    else if (seen.bytes !== stream.bytes) mismatches.push(`${stream.ports}: client ${stream.bytes} bytes, server ${seen.bytes} bytes ${seen.direction}`);
  }
  for (const [ports, stream] of byPorts) mismatches.push(`${ports}: only the server reported a stream (${stream.bytes} bytes ${stream.direction})`);
  return { client, server, mismatches };
}

/** A port nobody listens on now, for the client's -d listener. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
