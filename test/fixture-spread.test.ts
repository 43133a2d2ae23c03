/**
 * spread (fixtures/spread), the group-messaging daemon over MQTT 3.1.1, driven by Debian's
 * mosquitto_pub and mosquitto_sub: every subscriber gets every message of its groups, in order,
 * once, before updates and after 60 of them applied under load; updates cost the clients nothing
 * and show on $SYS/broker/version; with update points only, the accept loop waiting for a
 * connection keeps the daemon from quiescing.
 */
import * as net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CPUS, ensureClients } from '../bench/paper/clients';
import { startFixture, type Fixture, type Variant } from '../bench/paper/fixture';
import { driver, loadGroups, serverBuild } from '../bench/paper/drivers/spread';

const UPDATES = 60;

function start(variant: Variant): Promise<Fixture> {
  return startFixture('spread', variant, { args: driver.args, cpus: CPUS.server });
}

async function stopped(fixture: Fixture): Promise<void> {
  assert.is(await fixture.stop(), 0, 'the daemon exits by itself, with code 0');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The monitor publishes every 200 ms: wait for the build it reports to reach `wanted`. */
async function buildReaches(fixture: Fixture, wanted: number): Promise<number> {
  const deadline = Date.now() + 3000;
  let build = await serverBuild(fixture);
  while (build !== wanted && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    build = await serverBuild(fixture);
  }
  return build;
}

test.before(() => ensureClients(driver.packages));

test('the paper\'s shape: accept, delivery and monitor loops, and one strand per connection', async () => {
  const fixture = await start('quiesce');
  const socket = net.connect(fixture.info.port as number, '127.0.0.1');
  socket.on('error', () => {});
  try {
    await new Promise((resolve) => socket.once('connect', resolve));
    const deadline = Date.now() + 5000;
    let loops: string[] = [];
    while (loops.length < 4 && Date.now() < deadline) loops = (await fixture.strands()).map((strand) => strand.name.split(':')[1]).sort();
    assert.equal(loops, ['acceptLoop', 'connectionLoop', 'deliveryLoop', 'monitorLoop'], 'one connection: the 4 threads of spread-mon');
  } finally {
    socket.destroy();
    await stopped(fixture);
  }
});

test('all changes: every subscriber gets its groups\' messages in order, once, before, during and after updates', async () => {
  const fixture = await start('quiesce');
  try {
    await driver.verify(fixture);
    const before = await serverBuild(fixture);
    const [load, updates] = await Promise.all([
      loadGroups(fixture, 6000),
      new Promise((resolve) => setTimeout(resolve, 500)).then(() => fixture.probe(UPDATES, 50, 1000)),
    ]);
    assert.equal(updates.map((update) => update.outcome), Array(UPDATES).fill('applied'), 'every update reached quiescence and was applied');
    console.log(`  spread (all changes) with load: median TTQ ${median(updates.map((u) => u.timings.toQuiescenceMs!)).toFixed(3)} ms; ${load.work} ${load.unit}, ${load.detail}`);
    assert.ok(load.work > 0, 'messages were delivered');
    assert.is(load.errors, 0, 'every subscriber got every message of its groups, in order, once');
    assert.is(load.lostConnections, 0, 'no client lost its connection');
    assert.ok(load.pings.answered >= 1 && load.pings.answered === load.pings.sent, `keep-alive pings were answered (${JSON.stringify(load.pings)})`);
    assert.ok(load.builds !== undefined && load.builds[1] > load.builds[0], `the monitor reported updates applied during the load (builds ${load.builds})`);
    assert.is(await buildReaches(fixture, before + UPDATES), before + UPDATES, 'each applied update bumped the build on $SYS/broker/version');
    await driver.verify(fixture);
    const quiet = await fixture.probe(20, 10, 1000);
    assert.ok(quiet.every((update) => update.outcome === 'applied'));
    console.log(`  spread (all changes) idle: median TTQ ${median(quiet.map((u) => u.timings.toQuiescenceMs!)).toFixed(3)} ms`);
  } finally {
    await stopped(fixture);
  }
});

test('update points only: the accept loop waiting for a connection holds quiescence off; the daemon goes on', async () => {
  const fixture = await start('updonly');
  try {
    await driver.verify(fixture);
    const updates = await fixture.probe(3, 10, 200);
    for (const update of updates) {
      assert.is(update.outcome, 'called-off');
      if (update.outcome !== 'called-off') continue;
      const blockers = update.blockers.map((strand) => strand.name);
      assert.ok(blockers.includes('spread/main.ts:acceptLoop:loop1'), `the accept loop, waiting for a connection, blocks: ${blockers.join(', ')}`);
    }
    assert.is(await serverBuild(fixture), 1, 'a called-off update changes nothing');
    await driver.verify(fixture);
  } finally {
    await stopped(fixture);
  }
});

test.run();
