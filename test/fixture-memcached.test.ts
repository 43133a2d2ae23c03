/**
 * The memcached fixture against libmemcached-tools: memccapable -a passes its 27 ASCII tests
 * before and after 60 updates applied under memcaslap load (values and expiry checked by
 * memcaslap, no error, no lost connection), and each update shows in the version the server
 * reports. Its replies are memcached 1.6.18's byte for byte (transcripts recorded from Debian 12's
 * memcached), its LRU evicts the least recently used items at the memory limit, its crawler
 * reclaims expired items nobody asks for, and the update-points-only build shows the paper's DNQ:
 * the accept loop, blocked in its wait, never reaches its update point.
 */
import * as net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StrandInfo, UpdateResult } from 'quiesce';
import { CPUS, ensureClients } from '../bench/paper/clients';
import { driver, stats } from '../bench/paper/drivers/memcached';
import { startFixture, type Fixture, type Variant } from '../bench/paper/fixture';

const CONNECTIONS = 4;
const LOAD_MS = 5000;
const UPDATES = 60;
const K250 = 'k'.repeat(250);
const K251 = 'k'.repeat(251);
/** The largest value memcached 1.6.18 stores under a one-byte key with -I 1m (its default). */
const LARGEST = 1048516;

interface Transcript {
  send: string;
  expect: string;
  /** The server closes the connection after its reply. */
  closes?: true;
}

/**
 * What memcached 1.6.18 (Debian 12) answers, each on a connection of its own, every key its own;
 * g1 is stored beforehand (a get with a key too long drops the values found before it).
 */
const TRANSCRIPTS: Transcript[] = [
  { send: 'foo\r\n', expect: 'ERROR\r\n' },
  { send: '\r\n', expect: 'ERROR\r\n' },
  { send: 'get\r\n', expect: 'ERROR\r\n' },
  { send: 'GET a\r\n', expect: 'ERROR\r\n' },
  { send: 'get\ta\r\n', expect: 'ERROR\r\n' },
  { send: 'set s1 0 0 5\r\nhello\r\nget s1\r\n', expect: 'STORED\r\nVALUE s1 0 5\r\nhello\r\nEND\r\n' },
  { send: 'set s2 0 0 5\r\nhelloX\r\nget s2\r\n', expect: 'CLIENT_ERROR bad data chunk\r\nERROR\r\nEND\r\n' },
  { send: 'set s3 0 0\r\n', expect: 'ERROR\r\n' },
  { send: 'set s3 0 0 5 6 7 8\r\nhello\r\n', expect: 'ERROR\r\nERROR\r\n' },
  { send: 'set s3 x 0 5\r\nhello\r\n', expect: 'CLIENT_ERROR bad command line format\r\nERROR\r\n' },
  { send: 'set s3 0 x 5\r\nhello\r\n', expect: 'CLIENT_ERROR bad command line format\r\nERROR\r\n' },
  { send: 'set s3 0 0 -1\r\nhello\r\n', expect: 'CLIENT_ERROR bad command line format\r\nERROR\r\n' },
  { send: 'set s3 -1 0 1\r\nx\r\n', expect: 'CLIENT_ERROR bad command line format\r\nERROR\r\n' },
  { send: 'set s3 0x1 0 1\r\nx\r\n', expect: 'CLIENT_ERROR bad command line format\r\nERROR\r\n' },
  { send: 'set s3 99999999999999999999 0 1\r\nx\r\n', expect: 'CLIENT_ERROR bad command line format\r\nERROR\r\n' },
  { send: 'set s3 0 0 2147483647\r\nx\r\n', expect: 'CLIENT_ERROR bad command line format\r\nERROR\r\n' },
  { send: 'set s4 4294967296 0 1\r\nx\r\nget s4\r\n', expect: 'STORED\r\nVALUE s4 0 1\r\nx\r\nEND\r\n' },
  { send: 'set s5 4294967295 0 1\r\nx\r\nget s5\r\n', expect: 'STORED\r\nVALUE s5 4294967295 1\r\nx\r\nEND\r\n' },
  { send: 'set s6 +1 0 1\r\nx\r\nget s6\r\n', expect: 'STORED\r\nVALUE s6 1 1\r\nx\r\nEND\r\n' },
  { send: 'set s7 0 -1 1\r\nx\r\nget s7\r\n', expect: 'STORED\r\nEND\r\n' },
  { send: 'set s8 0 0 1 noreply\r\nx\r\nget s8\r\n', expect: 'VALUE s8 0 1\r\nx\r\nEND\r\n' },
  { send: 'set s9 0 0 1 bogus\r\nx\r\nget s9\r\n', expect: 'STORED\r\nVALUE s9 0 1\r\nx\r\nEND\r\n' },
  { send: 'set s10 x 0 5 noreply\r\nhello\r\n', expect: 'ERROR\r\n' },
  { send: 'set s11 0 0 5 noreply\r\nhelloXX\r\n', expect: 'ERROR\r\n' },
  { send: 'set s12 0 0 1 \r\nx\r\n', expect: 'STORED\r\n' },
  { send: 'set  s13  0  0  1\r\nx\r\nget s13\r\n', expect: 'STORED\r\nVALUE s13 0 1\r\nx\r\nEND\r\n' },
  { send: 'set s14 0 0 1\r\n\r\r\nget s14\r\n', expect: 'STORED\r\nVALUE s14 0 1\r\n\r\r\nEND\r\n' },
  { send: 'set s15 0 0 1\nx\nget s15\n', expect: 'CLIENT_ERROR bad data chunk\r\nERROR\r\n' },
  { send: 'set s16 0 0 1 noreply x y\r\n', expect: 'ERROR\r\n' },
  { send: 'get s17\n', expect: 'END\r\n' },
  { send: 'get s17 \r\n', expect: 'END\r\n' },
  { send: `set ${K250} 0 0 1\r\nx\r\nget ${K250}\r\n`, expect: `STORED\r\nVALUE ${K250} 0 1\r\nx\r\nEND\r\n` },
  { send: `set ${K251} 0 0 1\r\nx\r\n`, expect: 'CLIENT_ERROR bad command line format\r\nERROR\r\n' },
  { send: `get g1 ${K251}\r\n`, expect: 'CLIENT_ERROR bad command line format\r\n' },
  { send: `delete ${K251}\r\n`, expect: 'CLIENT_ERROR bad command line format\r\n' },
  { send: `incr ${K251} 1\r\n`, expect: 'CLIENT_ERROR bad command line format\r\n' },
  { send: `touch ${K251} 1\r\n`, expect: 'CLIENT_ERROR bad command line format\r\n' },
  { send: 'set g2 0 0 1\r\na\r\nset g3 5 0 2\r\nbb\r\nget g2 g3 g4\r\n', expect: 'STORED\r\nSTORED\r\nVALUE g2 0 1\r\na\r\nVALUE g3 5 2\r\nbb\r\nEND\r\n' },
  { send: 'set \x10\xb0g5 0 0 1\r\nx\r\nget \x10\xb0g5\r\n', expect: 'STORED\r\nVALUE \x10\xb0g5 0 1\r\nx\r\nEND\r\n' },
  { send: 'gets\r\n', expect: 'ERROR\r\n' },
  {
    send: 'set n1 0 0 2\r\n10\r\nincr n1 5\r\nincr n1 x\r\nincr n1 -1\r\nincr n1\r\nincr n1x 1\r\ndecr n1 100\r\nincr n1 18446744073709551615\r\nincr n1 18446744073709551616\r\n',
    expect:
      'STORED\r\n15\r\nCLIENT_ERROR invalid numeric delta argument\r\nCLIENT_ERROR invalid numeric delta argument\r\nERROR\r\nNOT_FOUND\r\n0\r\n18446744073709551615\r\nCLIENT_ERROR invalid numeric delta argument\r\n',
  },
  { send: 'set n2 0 0 20\r\n18446744073709551615\r\nincr n2 1\r\nget n2\r\n', expect: 'STORED\r\n0\r\nVALUE n2 0 20\r\n0                   \r\nEND\r\n' },
  { send: 'set n3 0 0 20\r\n18446744073709551614\r\nincr n3 3\r\n', expect: 'STORED\r\n1\r\n' },
  {
    send: 'set n4 0 0 1\r\n9\r\nincr n4 1\r\nget n4\r\ndecr n4 1\r\nget n4\r\ndecr n4 20\r\nget n4\r\n',
    expect: 'STORED\r\n10\r\nVALUE n4 0 2\r\n10\r\nEND\r\n9\r\nVALUE n4 0 2\r\n9 \r\nEND\r\n0\r\nVALUE n4 0 2\r\n0 \r\nEND\r\n',
  },
  { send: 'set n5 0 0 1\r\n5\r\nincr n5 +3\r\nincr n5 007\r\nincr n5 1x\r\n', expect: 'STORED\r\n8\r\n15\r\nCLIENT_ERROR invalid numeric delta argument\r\n' },
  { send: 'set n6 0 0 1\r\n5\r\nincr n6 1 noreply\r\nincr n6 1 junk\r\n', expect: 'STORED\r\n7\r\n' },
  { send: 'set n7 0 0 3\r\n 12\r\nincr n7 1\r\n', expect: 'STORED\r\n13\r\n' },
  { send: 'set n8 0 0 6\r\n12 abc\r\nincr n8 1\r\nget n8\r\n', expect: 'STORED\r\n13\r\nVALUE n8 0 6\r\n13    \r\nEND\r\n' },
  { send: 'set n9 0 0 2\r\n07\r\nincr n9 1\r\n', expect: 'STORED\r\n8\r\n' },
  { send: 'set n10 0 0 2\r\n-0\r\nincr n10 1\r\n', expect: 'STORED\r\n1\r\n' },
  {
    send: 'set n11 0 0 3\r\nabc\r\nincr n11 1\r\ndecr n11 1\r\n',
    expect: 'STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n',
  },
  { send: 'set n12 0 0 2\r\n-5\r\nincr n12 1\r\n', expect: 'STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n' },
  { send: 'set n13 0 0 21\r\n123456789012345678901\r\nincr n13 1\r\n', expect: 'STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n' },
  { send: 'set n14 0 0 0\r\n\r\nincr n14 1\r\n', expect: 'STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n' },
  { send: 'set n15 0 0 5\r\n12abc\r\nincr n15 1\r\n', expect: 'STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n' },
  { send: 'incr\r\n', expect: 'ERROR\r\n' },
  { send: 'incr n16\r\n', expect: 'ERROR\r\n' },
  { send: 'incr n16 1 2 3\r\n', expect: 'ERROR\r\n' },
  { send: 'set t1 0 0 1\r\nx\r\ntouch t1 10\r\ntouch t1x 10\r\ntouch t1 x\r\n', expect: 'STORED\r\nTOUCHED\r\nNOT_FOUND\r\nCLIENT_ERROR invalid exptime argument\r\n' },
  { send: 'set t2 0 0 1\r\nx\r\ntouch t2 -1\r\nget t2\r\n', expect: 'STORED\r\nTOUCHED\r\nEND\r\n' },
  { send: 'touch t3\r\n', expect: 'ERROR\r\n' },
  { send: 'touch t3 1 noreply\r\ntouch t3 1 2 3\r\n', expect: 'ERROR\r\n' },
  { send: 'delete\r\n', expect: 'ERROR\r\n' },
  { send: 'set d1 0 0 1\r\nx\r\ndelete d1 0\r\nget d1\r\n', expect: 'STORED\r\nDELETED\r\nEND\r\n' },
  { send: 'delete d2 5\r\n', expect: 'CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n' },
  { send: 'delete d2 b c\r\n', expect: 'CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n' },
  { send: 'delete d2 noreply extra\r\n', expect: 'CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n' },
  { send: 'delete d2 b c d e\r\n', expect: 'ERROR\r\n' },
  { send: 'set d3 0 0 1\r\nx\r\ndelete d3 noreply\r\nget d3\r\n', expect: 'STORED\r\nEND\r\n' },
  { send: 'set d4 0 0 1\r\nx\r\ndelete d4 0 noreply\r\ndelete d4\r\n', expect: 'STORED\r\nNOT_FOUND\r\n' },
  { send: 'cas c1 0 0 1\r\nx\r\n', expect: 'ERROR\r\nERROR\r\n' },
  { send: 'cas c1x 0 0 1 5\r\nx\r\n', expect: 'NOT_FOUND\r\n' },
  { send: 'cas c1 0 0 1 x\r\nx\r\n', expect: 'CLIENT_ERROR bad command line format\r\nERROR\r\n' },
  { send: 'cas c1 0 0 1 -1\r\nx\r\n', expect: 'CLIENT_ERROR bad command line format\r\nERROR\r\n' },
  {
    send: 'set c2 0 0 1\r\na\r\ncas c2 0 0 1 999999\r\nb\r\ncas c2 0 0 1 999999 noreply\r\nb\r\ncas c2 0 0 1 0\r\nz\r\ncas c2 0 0 1 999999 2\r\nb\r\nget c2\r\n',
    expect: 'STORED\r\nEXISTS\r\nEXISTS\r\nEXISTS\r\nVALUE c2 0 1\r\na\r\nEND\r\n',
  },
  { send: 'append\r\n', expect: 'ERROR\r\n' },
  { send: 'append p1 0 0\r\n', expect: 'ERROR\r\n' },
  { send: 'prepend p1x 0 0 1\r\nx\r\n', expect: 'NOT_STORED\r\n' },
  { send: 'set p2 1 0 1\r\nx\r\nprepend p2 7 0 1\r\ny\r\nappend p2 9 0 1\r\nz\r\nget p2\r\n', expect: 'STORED\r\nSTORED\r\nSTORED\r\nVALUE p2 1 3\r\nyxz\r\nEND\r\n' },
  { send: 'set r1 0 0 1\r\nx\r\nadd r1 0 0 1\r\nz\r\nreplace r1x 0 0 1\r\nz\r\nreplace r1 3 0 1\r\nw\r\nget r1\r\n', expect: 'STORED\r\nNOT_STORED\r\nNOT_STORED\r\nSTORED\r\nVALUE r1 3 1\r\nw\r\nEND\r\n' },
  { send: 'set r2 0 -1 1\r\nx\r\nadd r2 0 0 1\r\ny\r\nget r2\r\n', expect: 'STORED\r\nSTORED\r\nVALUE r2 0 1\r\ny\r\nEND\r\n' },
  { send: 'set r3 0 0 1 noreply\r\na\r\nadd r3 0 0 1 noreply\r\nb\r\nget r3\r\n', expect: 'VALUE r3 0 1\r\na\r\nEND\r\n' },
  { send: `set l 0 0 ${LARGEST}\r\n${'x'.repeat(LARGEST)}\r\n`, expect: 'STORED\r\n' },
  { send: `set l1 0 0 ${LARGEST}\r\n${'x'.repeat(LARGEST)}\r\n`, expect: 'SERVER_ERROR object too large for cache\r\n' },
  { send: `set l2 0 0 1\r\nx\r\nset l2 0 0 ${LARGEST + 1}\r\n${'x'.repeat(LARGEST + 1)}\r\nget l2\r\n`, expect: 'STORED\r\nSERVER_ERROR object too large for cache\r\nEND\r\n' },
  { send: 'verbosity\r\n', expect: 'ERROR\r\n' },
  { send: 'verbosity x\r\n', expect: 'CLIENT_ERROR bad command line format\r\n' },
  { send: 'verbosity 1 2\r\n', expect: 'OK\r\n' },
  { send: 'verbosity 1 2 3\r\n', expect: 'ERROR\r\n' },
  { send: 'verbosity noreply\r\nverbosity 0 noreply\r\nversion\r\n', expect: 'VERSION 1.6.18\r\n' },
  { send: 'version foo bar\r\n', expect: 'VERSION 1.6.18\r\n' },
  { send: 'stats noreply\r\n', expect: 'ERROR\r\n' },
  { send: 'stats foo\r\n', expect: 'ERROR\r\n' },
  { send: 'stats sizes\r\n', expect: 'STAT sizes_status disabled\r\nEND\r\n' },
  { send: 'shutdown\r\n', expect: 'ERROR: shutdown not enabled\r\n' },
  { send: 'flush_all foo\r\n', expect: 'CLIENT_ERROR invalid exptime argument\r\n' },
  { send: 'flush_all noreply x\r\n', expect: 'CLIENT_ERROR invalid exptime argument\r\n' },
  { send: 'flush_all 1 2 3\r\n', expect: 'ERROR\r\n' },
  { send: 'set q1 0 0 1\r\nx\r\nget q1\r\nquit\r\nget q1\r\n', expect: 'STORED\r\nVALUE q1 0 1\r\nx\r\nEND\r\n', closes: true },
  { send: 'quit foo\r\n', expect: '', closes: true },
  { send: `set ${'x'.repeat(3000)}`, expect: '', closes: true },
];

test.before(() => ensureClients(driver.packages));

async function withMemcached(variant: Variant, args: string[], use: (fixture: Fixture, port: number) => Promise<void>): Promise<void> {
  const fixture = await startFixture('memcached', variant, { args, cpus: CPUS.server });
  try {
    await use(fixture, fixture.info.port as number);
  } finally {
    assert.is(await fixture.stop(), 0, 'memcached exits by itself with code 0 once stopped');
  }
}

/**
 * Send `request` on a connection of its own and collect the reply: until `length` bytes came (and
 * a little longer, to catch any extra), or the server closed the connection, or 3 s passed.
 */
function converse(port: number, request: string, length: number): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    let closed = false;
    let extra: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(limit);
      clearTimeout(extra);
      socket.destroy();
      resolve({ reply, closed });
    };
    const limit = setTimeout(finish, 3000);
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      reply += data;
      if (reply.length >= length && extra === undefined) extra = setTimeout(finish, 50);
    });
    socket.on('end', () => {
      closed = true;
      finish();
    });
    socket.on('error', finish);
    socket.write(Buffer.from(request, 'latin1'));
  });
}

/**
 * A client on its own connection that asks for the version every few ms until stopped: what it saw,
 * in order. Resolves once it has its first reply, so its connection is counted before any load;
 * stop() resolves once the server has closed the connection.
 */
async function watchVersions(port: number): Promise<{ stop(): Promise<string[]> }> {
  const seen: string[] = [];
  let running = true;
  let first = (): void => {};
  const started = new Promise<void>((resolve) => (first = resolve));
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  const watching = (async () => {
    let buffered = '';
    const chunks = socket[Symbol.asyncIterator]() as AsyncIterator<string>;
    while (running) {
      socket.write('version\r\n');
      while (!buffered.includes('\r\n')) {
        const next = await chunks.next();
        if (next.done === true) throw new Error('the version watcher lost its connection');
        buffered += next.value;
      }
      const [line] = buffered.split('\r\n', 1);
      buffered = buffered.slice(line.length + 2);
      if (seen[seen.length - 1] !== line) seen.push(line);
      first();
      await delay(20);
    }
    socket.end();
    await new Promise((resolve) => socket.once('close', resolve));
  })();
  await Promise.race([started, watching]);
  return {
    async stop() {
      running = false;
      await watching;
      return seen;
    },
  };
}

/** The n of `VERSION 1.6.18-u<n>`: how many updates the server that answered had been through. */
function generation(version: string): number {
  const match = /^VERSION 1\.6\.18(?:-u(\d+))?$/.exec(version);
  assert.ok(match, `a memcached version line: ${JSON.stringify(version)}`);
  return Number(match![1] ?? 0);
}

/** How many strands run each loop: 'memcached/main.ts:serveConnection:loop1' → 'serveConnection'. */
function shape(strands: StrandInfo[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const strand of strands) {
    const loop = strand.name.split(':')[1];
    counts[loop] = (counts[loop] ?? 0) + 1;
  }
  return counts;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Send `request` on a connection of its own and check the reply. */
async function ask(port: number, request: string, expected: string, message = JSON.stringify(request)): Promise<void> {
  assert.is((await converse(port, request, expected.length)).reply, expected, message);
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function statsOf(port: number): Promise<Record<string, number>> {
  return Object.fromEntries(Object.entries(await stats(port)).map(([name, value]) => [name, Number(value)]));
}

test('all changes: memccapable passes 27/27 before and after 60 updates applied under memcaslap load, no client error', async () => {
  await withMemcached('quiesce', [], async (fixture, port) => {
    assert.equal(shape(await fixture.strands()), { acceptConnections: 1, crawlItems: 1 }, 'the accept loop and the crawler');
    await driver.verify(fixture);
    const watcher = await watchVersions(port);
    const [view, results, during] = await Promise.all([
      driver.load(fixture, LOAD_MS),
      delay(500).then(() => fixture.probe(UPDATES, 40, 1000)),
      // memcaslap connects when it gets to it (late on a loaded machine): look until all are in.
      (async () => {
        const until = Date.now() + LOAD_MS - 500;
        let seen = await fixture.strands();
        while (shape(seen).serveConnection !== CONNECTIONS + 1 && Date.now() < until) {
          await delay(100);
          seen = await fixture.strands();
        }
        return seen;
      })(),
    ]);
    const versions = await watcher.stop();
    // The paper's 2 + c: c connection strands for memcaslap's connections, one more for the watcher.
    assert.equal(shape(during), { acceptConnections: 1, crawlItems: 1, serveConnection: CONNECTIONS + 1 });
    const outcomes = results.map((result: UpdateResult) => result.outcome);
    assert.equal(outcomes, Array(UPDATES).fill('applied'), 'every update reaches full quiescence under load');
    assert.ok(view.work > 0, `memcaslap completed operations: ${view.detail}`);
    assert.is(view.errors, 0, `memcaslap saw no error: ${view.detail}`);
    assert.is(view.lostConnections, 0, `memcaslap lost no connection: ${view.detail}`);
    const generations = versions.map(generation);
    assert.equal(generations, [...generations].sort((a, b) => a - b), 'versions only move forward');
    assert.ok(generations.length > 2, `the watcher saw the version change between its requests: ${versions.join(', ')}`);
    assert.is(generation((await converse(port, 'version\r\n', 1)).reply.trim()), UPDATES, 'the version reports every applied update');
    await driver.verify(fixture);
    const ttq = results.map((result) => result.timings.toQuiescenceMs!);
    console.log(`  memcached, all changes, with load: ${view.detail}; TTQ median ${median(ttq).toFixed(3)} ms, max ${Math.max(...ttq).toFixed(3)} ms`);
  });
});

test("replies are memcached 1.6.18's, byte for byte", async () => {
  await withMemcached('quiesce', [], async (_, port) => {
    await ask(port, 'set g1 0 0 1\r\nx\r\n', 'STORED\r\n');
    const replies = await Promise.all(TRANSCRIPTS.map(({ send, expect }) => converse(port, send, expect.length)));
    TRANSCRIPTS.forEach(({ send, expect, closes }, i) => {
      const request = JSON.stringify(send.length > 120 ? `${send.slice(0, 120)}…` : send);
      assert.is(replies[i].reply, expect, request);
      assert.is(replies[i].closed, closes === true, `${request} ${closes ? 'closes' : 'keeps'} the connection`);
    });
  });
});

test('the LRU evicts the least recently used items at -m, and -M refuses instead', async () => {
  const value = 'v'.repeat(100_000);
  const storeValue = (key: string): string => `set ${key} 0 0 ${value.length}\r\n${value}\r\n`;
  await withMemcached('quiesce', ['-m', '1', '-I', '512k'], async (_, port) => {
    // 30 items of 100 kB into 1 MB: lru0 is read before every store, so it stays the most recently used.
    await ask(port, storeValue('lru0'), 'STORED\r\n');
    for (let i = 1; i < 30; i++) {
      const expected = `VALUE lru0 0 ${value.length}\r\n${value}\r\nEND\r\nSTORED\r\n`;
      const { reply } = await converse(port, `get lru0\r\n${storeValue(`lru${i}`)}`, expected.length);
      assert.ok(reply === expected, `lru0 read and lru${i} stored: ...${JSON.stringify(reply.slice(-40))}`);
    }
    const { reply } = await converse(port, 'get lru0 lru1 lru2 lru28 lru29\r\n', 3 * value.length);
    const present = [...reply.matchAll(/^VALUE (\S+) /gm)].map((match) => match[1]);
    assert.equal(present, ['lru0', 'lru28', 'lru29'], 'the recently used items stay, the oldest went');
    const counters = await statsOf(port);
    assert.ok(counters.evictions >= 20, `evictions: ${counters.evictions}`);
    assert.ok(counters.bytes <= 1024 * 1024, `bytes ${counters.bytes} within the limit`);
    assert.is(counters.curr_items, 30 - counters.evictions);
  });
  await withMemcached('quiesce', ['-m', '1', '-I', '512k', '-M'], async (_, port) => {
    for (let i = 0; i < 10; i++) await ask(port, storeValue(`full${i}`), 'STORED\r\n', 'ten items fit');
    await ask(port, storeValue('full10'), 'SERVER_ERROR out of memory storing object\r\n');
    await ask(port, 'get full0\r\n', `VALUE full0 0 ${value.length}\r\n${value}\r\nEND\r\n`, 'nothing was evicted');
  });
});

test('exptime: relative, negative, absolute past 30 days; the crawler reclaims expired items, flush_all waits its delay', async () => {
  await withMemcached('quiesce', ['--crawl-interval', '50'], async (_, port) => {
    const now = Math.floor(Date.now() / 1000);
    const set = (key: string, exptime: number): string => `set ${key} 0 ${exptime} 1\r\nx\r\n`;
    await ask(port, set('e1', 1) + set('e2', now + 2) + set('e3', now - 10) + set('e4', -1) + set('e5', 0) + set('e6', 2592000), 'STORED\r\n'.repeat(6));
    await ask(port, 'get e3 e4\r\n', 'END\r\n', 'an absolute time in the past and a negative exptime expire at once');
    const before = await statsOf(port);
    assert.is(before.curr_items, 4);
    let after = before;
    for (let waited = 0; after.curr_items > 2 && waited < 4000; waited += 100) {
      await delay(100);
      after = await statsOf(port);
    }
    assert.is(after.curr_items, 2, 'e1 (relative) and e2 (absolute) expired, and went without anybody asking for them');
    assert.is(after.crawler_reclaimed - before.crawler_reclaimed, 2);
    assert.is(after.get_expired, before.get_expired, 'nobody read them');
    await ask(port, 'get e1 e2 e5 e6\r\n', 'VALUE e5 0 1\r\nx\r\nVALUE e6 0 1\r\nx\r\nEND\r\n', 'never and 30 days (relative) have not expired');

    await ask(port, `${set('f1', 0)}flush_all 1\r\nget f1\r\n`, 'STORED\r\nOK\r\nVALUE f1 0 1\r\nx\r\nEND\r\n', 'a delayed flush_all leaves the items until then');
    await delay(1100);
    await ask(port, `get f1 e5\r\n${set('f2', 0)}get f2\r\n`, 'END\r\nSTORED\r\nVALUE f2 0 1\r\nx\r\nEND\r\n', 'the delay passed: what was stored before it is gone');
  });
});

test('-c: a connection beyond the limit gets memcached\'s error and is closed', async () => {
  await withMemcached('quiesce', ['-c', '1'], async (_, port) => {
    const watcher = await watchVersions(port);
    const rejected = 'ERROR Too many open connections\r\n';
    assert.equal(await converse(port, 'version\r\n', rejected.length), { reply: rejected, closed: true });
    await watcher.stop();
    await ask(port, 'version\r\n', 'VERSION 1.6.18\r\n', 'the first connection has gone: room again');
    assert.is((await statsOf(port)).rejected_connections, 1);
  });
});

test('update points only: the server works, and an update is called off while the accept loop waits for a connection', async () => {
  await withMemcached('updonly', [], async (fixture, port) => {
    await driver.verify(fixture);
    const results = await fixture.probe(3, 10, 200);
    for (const result of results) {
      assert.is(result.outcome, 'called-off');
      if (result.outcome !== 'called-off') continue;
      const blockers = result.blockers.map((strand) => strand.name.split(':')[1]);
      assert.ok(blockers.includes('acceptConnections'), `the accept loop holds up quiescence: ${blockers.join(', ')}`);
    }
    await ask(port, 'version\r\n', 'VERSION 1.6.18\r\n', 'a called-off update changes nothing');
    console.log(`  memcached, update points only, idle: ${results.map((result) => result.outcome).join(', ')}`);
  });
});

test.run();
