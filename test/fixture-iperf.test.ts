/**
 * The iperf fixture against Debian's iperf 2.1.8 client: client and server agree on the bytes of
 * every stream (one stream, -P 4, -R, -d) before and after updates applied while the client
 * measures throughput; each update raises the version stamped on the server's stream reports.
 * With update points only, the listener waiting for a connection never reaches its update point,
 * so an update is called off: the paper's DNQ.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StrandInfo } from 'quiesce';
import { CPUS, ensureClients } from '../bench/paper/clients';
import { driver, measure } from '../bench/paper/drivers/iperf';
import { startFixture, type Fixture, type Variant } from '../bench/paper/fixture';

const LOAD_MS = 4000;
const UPDATES = 60;

test.before(() => ensureClients(driver.packages));

async function withIperf(variant: Variant, use: (fixture: Fixture) => Promise<void>): Promise<void> {
  const fixture = await startFixture('iperf', variant, { args: driver.args, cpus: CPUS.server, captureStdout: driver.captureStdout });
  try {
    await use(fixture);
  } finally {
    assert.is(await fixture.stop(), 0, 'iperf exits by itself with code 0 once stopped');
  }
}

/** How many strands run each loop: 'iperf/main.ts:receive:loop1' → 'receive'. */
function shape(strands: StrandInfo[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const strand of strands) {
    const loop = strand.name.split(':')[1];
    counts[loop] = (counts[loop] ?? 0) + 1;
  }
  return counts;
}

/** The server's version as its stream reports carry it, from a short run of the real client. */
async function reportedVersions(fixture: Fixture): Promise<number[]> {
  const { comparison } = await measure(fixture, ['-t', '0.5']);
  assert.equal(comparison.mismatches, [], 'client and server agree');
  return comparison.server.map((stream) => stream.version);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('all changes: client and server agree on every stream before and after 60 updates applied under load', async () => {
  await withIperf('quiesce', async (fixture) => {
    assert.equal(shape(await fixture.strands()), { listen: 1, tick: 1, printReports: 1 }, 'listener, ticker and reporter');
    await driver.verify(fixture);
    assert.equal(await reportedVersions(fixture), [1]);
    const [view, { during, results }] = await Promise.all([
      driver.load(fixture, LOAD_MS),
      delay(300).then(async () => ({ during: shape(await fixture.strands()), results: await fixture.probe(UPDATES, 30, 1000) })),
    ]);
    assert.equal(during, { listen: 1, tick: 1, printReports: 1, receive: 1 }, 'the paper\'s 3 + n threads, n = 1');
    assert.equal(
      results.map((result) => result.outcome),
      Array(UPDATES).fill('applied'),
      'every update reaches full quiescence under load',
    );
    assert.ok(view.work > 0, `the client moved bytes: ${view.detail}`);
    assert.is(view.errors, 0, `client and server agree: ${view.detail}`);
    assert.is(view.lostConnections, 0, `no stream was cut: ${view.detail}`);
    assert.equal(await reportedVersions(fixture), [1 + UPDATES], 'the server reports every applied update');
    await driver.verify(fixture);
    const ttq = results.map((result) => result.timings.toQuiescenceMs!);
    console.log(`  iperf, all changes, with load: ${view.detail}; TTQ median ${median(ttq).toFixed(3)} ms, max ${Math.max(...ttq).toFixed(3)} ms`);
  });
});

test('update points only: the server works, and an update is called off while the listener waits for a connection', async () => {
  await withIperf('updonly', async (fixture) => {
    await driver.verify(fixture);
    const results = await fixture.probe(3, 10, 200);
    for (const result of results) {
      assert.is(result.outcome, 'called-off');
      if (result.outcome !== 'called-off') continue;
      const blockers = result.blockers.map((strand) => strand.name.split(':')[1]);
      assert.ok(blockers.includes('listen'), `the listener holds up quiescence: ${blockers.join(', ')}`);
    }
    assert.equal(await reportedVersions(fixture), [1], 'a called-off update changes nothing');
    console.log(`  iperf, update points only, idle: ${results.map((result) => result.outcome).join(', ')}`);
  });
});

test.run();
