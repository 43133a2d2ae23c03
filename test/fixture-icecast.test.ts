/**
 * The icecast fixture with Debian's real clients (oggfwd and shout as sources, curl and ogg123 as
 * listeners): every listener gets the source's bytes, late joiners the header pages first, before,
 * during and after updates; with update points only, a connection that sends nothing stops quiescence.
 */
import * as net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CPUS, ensureClients } from '../bench/paper/clients';
import { startFixture } from '../bench/paper/fixture';
import { adminStats, driver } from '../bench/paper/drivers/icecast';

const UPDATES = 50;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The function each live strand's loop is in: `icecast/fserve.ts:paceListeners:loop1` → `paceListeners`. */
function loopFunctions(strands: { name: string }[]): string[] {
  return strands.map((strand) => strand.name.split(':')[1]);
}

test.before(() => ensureClients(driver.packages));

test('all changes: the stream reaches every listener before, during and after updates, each applied', async () => {
  const fixture = await startFixture('icecast', 'quiesce', { args: driver.args, cpus: CPUS.server });
  try {
    await driver.verify(fixture);
    const before = await adminStats(fixture);

    const loading = driver.load(fixture, 6000);
    // Probe while shout streams to the listeners (the load attaches them within a second or two).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const streaming = loopFunctions(await fixture.strands());
    const results = await fixture.probe(UPDATES, 50, 1000);
    const view = await loading;

    // icecast's six threads as strands (with one more source strand per mount, and a strand per connection being read).
    for (const loop of ['acceptConnections', 'receiveSource', 'paceListeners', 'updateStats', 'checkRelays', 'authenticate']) {
      assert.ok(streaming.includes(loop), `no ${loop} strand while streaming: ${streaming.join(', ')}`);
    }
    const outcomes = results.map((result) => result.outcome);
    assert.equal(outcomes, Array(UPDATES).fill('applied'), JSON.stringify(results.find((result) => result.outcome !== 'applied')));
    assert.is(view.errors, 0, view.detail);
    assert.is(view.lostConnections, 0, view.detail);
    assert.ok(view.work > 0, view.detail);
    // Each update bumped the version the server reports.
    assert.is((await adminStats(fixture)).version, before.version + UPDATES);

    await driver.verify(fixture);
    const ttq = results.map((result) => result.timings.toQuiescenceMs!);
    console.log(`icecast, all changes, with load: median time to quiescence ${median(ttq).toFixed(3)} ms over ${UPDATES} updates; ${view.work} ${view.unit}; ${view.detail}`);
  } finally {
    assert.is(await fixture.stop(), 0);
  }
});

test('update points only: a connection that sends nothing blocks quiescence, and updates are called off', async () => {
  const fixture = await startFixture('icecast', 'updonly', { args: driver.args, cpus: CPUS.server });
  const idle = new net.Socket();
  try {
    await driver.verify(fixture);
    const before = await adminStats(fixture);
    // Its strand waits for a request head that does not come (until the 15 s header timeout).
    await new Promise<void>((resolve, reject) => idle.once('error', reject).connect((fixture.info as { port: number }).port, '127.0.0.1', resolve));
    const results = await fixture.probe(5, 20, 200);
    for (const result of results) {
      assert.is(result.outcome, 'called-off');
      const blockers = loopFunctions(result.outcome === 'called-off' ? result.blockers : []);
      assert.ok(blockers.includes('serveRequests'), blockers.join(', '));
    }
    // Called off: nothing changed, and the server still serves.
    assert.is((await adminStats(fixture)).version, before.version);
    const blockers = new Set(results.flatMap((result) => (result.outcome === 'called-off' ? loopFunctions(result.blockers) : [])));
    console.log(`icecast, update points only, idle: ${results.length} of ${results.length} updates called off at 200 ms; blockers seen: ${[...blockers].join(', ')}`);
  } finally {
    idle.destroy();
    assert.is(await fixture.stop(), 0);
  }
});

test.run();
