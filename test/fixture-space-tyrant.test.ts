/**
 * Space Tyrant (fixtures/space-tyrant) played by expect bots over Debian's telnet: every bot's
 * transcript is what the game rules give, before updates and after 60 of them applied while five
 * bots played; updates cost the bots nothing and show in the `version` reply; with update points
 * only, the tick loop asleep between ticks keeps the server from quiescing.
 */
import * as net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CPUS, ensureClients } from '../bench/paper/clients';
import { startFixture, type Fixture, type Variant } from '../bench/paper/fixture';
import { driver, loadBots, serverBuild, verifyBots } from '../bench/paper/drivers/space-tyrant';

const UPDATES = 60;

function start(variant: Variant): Promise<Fixture> {
  return startFixture('space-tyrant', variant, { args: driver.args, cpus: CPUS.server });
}

async function stopped(fixture: Fixture): Promise<void> {
  assert.is(await fixture.stop(), 0, 'the server exits by itself, with code 0');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The strands of the loops of main.ts, by loop (function) name. */
async function strandCounts(fixture: Fixture): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const strand of await fixture.strands()) {
    const loop = strand.name.split(':')[1];
    counts[loop] = (counts[loop] ?? 0) + 1;
  }
  return counts;
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test.before(() => ensureClients(driver.packages));

test('the paper\'s shape: 3 strands, and 2 more for each of n = 5 connected players', async () => {
  const fixture = await start('quiesce');
  const players: net.Socket[] = [];
  try {
    const idle = { acceptLoop: 1, tickLoop: 1, saveLoop: 1 };
    assert.equal(await eventually(() => strandCounts(fixture), (counts) => Object.keys(counts).length === 3), idle);
    for (let i = 0; i < 5; i++) {
      const socket = net.connect(fixture.info.port as number, '127.0.0.1');
      socket.on('error', () => {});
      players.push(socket);
      await new Promise((resolve) => socket.once('data', resolve));
    }
    assert.equal(await strandCounts(fixture), { ...idle, readLoop: 5, writeLoop: 5 });
    for (const socket of players) socket.destroy();
    assert.equal(await eventually(() => strandCounts(fixture), (counts) => Object.keys(counts).length === 3), idle, 'the players\' strands end with their connections');
  } finally {
    for (const socket of players) socket.destroy();
    await stopped(fixture);
  }
});

test('all changes: transcripts follow the rules before, during and after updates that cost the bots nothing', async () => {
  const fixture = await start('quiesce');
  try {
    await driver.verify(fixture);
    const before = await serverBuild(fixture);
    const [load, updates] = await Promise.all([
      loadBots(fixture, 6000),
      new Promise((resolve) => setTimeout(resolve, 500)).then(() => fixture.probe(UPDATES, 50, 1000)),
    ]);
    const outcomes = updates.map((update) => update.outcome);
    assert.equal(outcomes, Array(UPDATES).fill('applied'), 'every update reached quiescence and was applied');
    console.log(`  space-tyrant (all changes) with load: median TTQ ${median(updates.map((u) => u.timings.toQuiescenceMs!)).toFixed(3)} ms; ${load.work} ${load.unit}, ${load.detail}`);
    assert.ok(load.work > 0, 'the bots played');
    assert.is(load.errors, 0, 'no command went unanswered or arrived garbled');
    assert.is(load.lostConnections, 0, 'no session was dropped');
    assert.ok(load.builds !== undefined && load.builds[1] > load.builds[0], `the bots were told of updates applied between their commands (builds ${load.builds})`);
    assert.is(await serverBuild(fixture), before + UPDATES, 'each applied update bumped the build the game reports');
    await verifyBots(fixture, 2);
    await driver.verify(fixture);
    const quiet = await fixture.probe(20, 10, 1000);
    assert.ok(quiet.every((update) => update.outcome === 'applied'));
    console.log(`  space-tyrant (all changes) idle: median TTQ ${median(quiet.map((u) => u.timings.toQuiescenceMs!)).toFixed(3)} ms`);
  } finally {
    await stopped(fixture);
  }
});

test('all changes: a player who stops reading does not hold updates off, and loses nothing', async () => {
  const fixture = await start('quiesce');
  const socket = net.connect(fixture.info.port as number, '127.0.0.1');
  socket.on('error', () => {});
  try {
    await new Promise((resolve) => socket.once('connect', resolve));
    // Replies the player does not read fill the socket buffers, until the write loop waits for a drain.
    socket.pause();
    const looks = 100_000;
    socket.write(`slow\r\nslowpoke\r\n1\r\n${'look\r\n'.repeat(looks)}`);
    const drainWait = 'space-tyrant/main.ts:writeLoop:loop1:wait2';
    const strands = await eventually(() => fixture.strands(), (list) => list.some((strand) => strand.at === drainWait));
    assert.ok(strands.some((strand) => strand.at === drainWait), 'the write loop waits for the socket to drain');
    const updates = await fixture.probe(5, 10, 1000);
    assert.equal(updates.map((update) => update.outcome), Array(5).fill('applied'), 'the drain wait is interrupted (the manual change) and the update applied');
    let received = '';
    socket.setEncoding('utf8').on('data', (text: string) => (received += text));
    socket.resume();
    const prompts = (): number => received.split('Command [1]: ').length - 1;
    const deadline = Date.now() + 15_000;
    while (prompts() < looks + 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.is(prompts(), looks + 1, 'a prompt after the welcome and after every look');
    assert.is(received.split('Sector 1. Warps to 2, 5, 6.\r\n').length - 1, looks + 1, 'every reply came, whole');
  } finally {
    socket.destroy();
    await stopped(fixture);
  }
});

test('update points only: the tick loop asleep between ticks holds quiescence off; the game goes on', async () => {
  const fixture = await start('updonly');
  try {
    await driver.verify(fixture);
    const updates = await fixture.probe(3, 10, 200);
    for (const update of updates) {
      assert.is(update.outcome, 'called-off');
      if (update.outcome !== 'called-off') continue;
      const blockers = update.blockers.map((strand) => strand.name);
      assert.ok(blockers.includes('space-tyrant/main.ts:tickLoop:loop1'), `the sleeping tick loop blocks: ${blockers.join(', ')}`);
    }
    assert.is(await serverBuild(fixture), 1, 'a called-off update changes nothing');
    await verifyBots(fixture, 3);
  } finally {
    await stopped(fixture);
  }
});

test.run();
