/**
 * memcached, driven by Debian's libmemcached-tools. Correctness: `memccapable -a`, libmemcached's
 * conformance tests of the ASCII protocol, must pass all 27 as the stock memcached does. Load:
 * `memcaslap` (memaslap) with 4 connections on one thread, 90% gets and 10% sets of its own
 * keys and values, checking a tenth of the values it gets back (-v) and the expiry of a twentieth
 * (-e), reconnecting a connection it loses (-R) so that a loss shows as an extra connection.
 */
import * as net from 'node:net';
import { CPUS, run } from '../clients';
import type { ClientView, Driver } from '../driver';
import type { Fixture } from '../fixture';

/** memcaslap's connections: the paper's c. */
const CONCURRENCY = 4;
/** memccapable's ASCII tests. */
const ASCII_TESTS = 27;
const CLIENT_LIMIT_MS = 30_000;

export interface SlapReport {
  ops: number;
  tps: number;
  gets: number;
  sets: number;
  getMisses: number;
  /** Values it checked that were missing, or wrong. */
  verifyMisses: number;
  verifyFailed: number;
  /** Items returned after they should have expired, or missing before. */
  expiredGets: number;
  unexpiredUngets: number;
  /** What it printed about replies it did not expect: `<fd ERROR`, `<fd CLIENT_ERROR …`, `<fd NOT_STORED`. */
  complaints: string[];
  /** Connections the server closed on it (`Server 127.0.0.1:port disconnect`). */
  disconnects: number;
}

export const driver: Driver = {
  name: 'memcached',
  packages: ['libmemcached-tools'],
  threads: '2 + c (c = 4)',

  async verify(fixture) {
    const { port } = fixture.info as { port: number };
    const result = await run('memccapable', ['-a', '-v', '-h', '127.0.0.1', '-p', String(port)], { timeoutMs: CLIENT_LIMIT_MS });
    const passed = result.stdout.match(/\[pass\]/g)?.length ?? 0;
    if (result.code !== 0 || passed !== ASCII_TESTS || !result.stdout.includes('All tests passed')) {
      throw new Error(`memccapable -a passed ${passed} of ${ASCII_TESTS} (exit ${result.code ?? result.signal}):\n${result.stdout}${result.stderr}`);
    }
  },

  async load(fixture, durationMs) {
    const { port } = fixture.info as { port: number };
    const seconds = Math.max(1, Math.round(durationMs / 1000));
    const before = await stats(port);
    const args = ['-s', `127.0.0.1:${port}`, '-T', '1', '-c', String(CONCURRENCY), '-t', `${seconds}s`, '-v', '0.1', '-e', '0.05', '-R'];
    const result = await run('memcaslap', args, { timeoutMs: durationMs + CLIENT_LIMIT_MS, cpus: CPUS.client });
    const after = await stats(port);
    if (result.code !== 0) throw new Error(`memcaslap exited with ${result.code ?? result.signal}: ${result.stderr}${result.stdout}`);
    const report = parseSlap(result.stdout);
    // A lost connection shows twice: memcaslap says so, and (-R) opens another one. Of the
    // connections counted between the two `stats` requests, one is the second request's own.
    const opened = Number(after.total_connections) - Number(before.total_connections) - 1;
    const complaints = [...report.complaints, ...result.stderr.split('\n').filter((line) => line.trim() !== '')];
    return slapView(report, complaints.length, Math.max(0, opened - CONCURRENCY, report.disconnects));
  },
};

function slapView(report: SlapReport, complaints: number, lostConnections: number): ClientView {
  const { ops, tps, gets, sets, getMisses, verifyMisses, verifyFailed, expiredGets, unexpiredUngets } = report;
  return {
    work: ops,
    unit: 'ops',
    errors: complaints + verifyMisses + verifyFailed + expiredGets + unexpiredUngets,
    lostConnections,
    detail:
      `memcaslap: ${ops} ops (TPS ${tps}), ${gets} gets, ${sets} sets, ${getMisses} get misses, ` +
      `verify misses/failed ${verifyMisses}/${verifyFailed}, expired gets/unexpired ungets ${expiredGets}/${unexpiredUngets}, ` +
      `${complaints} complaints, ${lostConnections} lost connections`,
  };
}

/** memcaslap's summary: `cmd_get: 50609`, …, `Run time: 3.0s Ops: 56234 TPS: 18743 Net_rate: 21.0M/s`. */
export function parseSlap(stdout: string): SlapReport {
  const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(stdout)?.[1] ?? 0);
  const summary = /Ops: (\d+) TPS: (\d+)/.exec(stdout);
  if (summary === null) throw new Error(`memcaslap printed no summary:\n${stdout}`);
  return {
    ops: Number(summary[1]),
    tps: Number(summary[2]),
    gets: field('cmd_get'),
    sets: field('cmd_set'),
    getMisses: field('get_misses'),
    verifyMisses: field('verify_misses'),
    verifyFailed: field('verify_failed'),
    expiredGets: field('expired_get'),
    unexpiredUngets: field('unexpired_unget'),
    complaints: stdout.split('\n').filter((line) => line.startsWith('<')),
    disconnects: stdout.match(/^Server \S+ disconnect$/gm)?.length ?? 0,
  };
}

/** The server's general stats (`stats`), by name. */
export function stats(port: number): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.setEncoding('latin1');
    socket.setTimeout(10_000, () => socket.destroy(new Error('memcached: no reply to stats within 10 s')));
    socket.on('data', (data: string) => {
      reply += data;
      if (!reply.endsWith('END\r\n')) return;
      socket.end();
      resolve(Object.fromEntries(reply.split('\r\n').flatMap((line) => (line.startsWith('STAT ') ? [line.slice(5).split(' ', 2)] : []))));
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`memcached: the connection closed before the stats ended: ${JSON.stringify(reply)}`)));
    socket.write('stats\r\n');
  });
}
