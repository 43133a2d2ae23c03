/**
 * The httpd fixture against the real clients: curl and ab -k check every response byte for byte
 * and keep-alive, wrk puts load on it while updates are applied (each raises the version that
 * /version reports), and the update-points-only build shows why the paper's Kitsune needed the
 * changes: the accept loop, blocked in its wait, never reaches its update point.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StrandInfo, UpdateResult } from 'quiesce';
import { CPUS, ensureClients, run } from '../bench/paper/clients';
import { driver } from '../bench/paper/drivers/httpd';
import { startFixture, type Fixture, type Variant } from '../bench/paper/fixture';

const WORKERS = 3;
const LOAD_MS = 4000;
const UPDATES = 60;

test.before(() => ensureClients(driver.packages));

async function withHttpd(variant: Variant, use: (fixture: Fixture) => Promise<void>): Promise<void> {
  const fixture = await startFixture('httpd', variant, { args: driver.args, cpus: CPUS.server });
  try {
    await use(fixture);
  } finally {
    assert.is(await fixture.stop(), 0, 'httpd exits by itself with code 0 once stopped');
  }
}

async function served(fixture: Fixture): Promise<{ version: number; served: number }> {
  const result = await run('curl', ['--silent', '--show-error', `http://127.0.0.1:${fixture.info.port as number}/version`], { timeoutMs: 10_000 });
  return JSON.parse(result.stdout) as { version: number; served: number };
}

/** How many strands run each loop: 'main.ts:work:…' → 'work'. */
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

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('all changes: byte-exact files and keep-alive before and after 60 updates applied under wrk load, no client error', async () => {
  await withHttpd('quiesce', async (fixture) => {
    assert.equal(shape(await fixture.strands()), { acceptConnections: 1, closeIdleConnections: 1, work: WORKERS }, 'the paper\'s 2 + c threads');
    await driver.verify(fixture);
    const before = await served(fixture);
    const [view, results] = await Promise.all([driver.load(fixture, LOAD_MS), delay(300).then(() => fixture.probe(UPDATES, 30, 1000))]);
    const outcomes = results.map((result: UpdateResult) => result.outcome);
    assert.equal(outcomes, Array(UPDATES).fill('applied'), 'every update reaches full quiescence under load');
    assert.ok(view.work > 0, `wrk completed requests: ${view.detail}`);
    assert.is(view.errors, 0, `wrk saw no error: ${view.detail}`);
    assert.is(view.lostConnections, 0, `wrk lost no connection: ${view.detail}`);
    const after = await served(fixture);
    assert.is(after.version, before.version + UPDATES, '/version reports every applied update');
    assert.ok(after.served >= before.served + view.work, 'the server answered every request wrk counted');
    await driver.verify(fixture);
    const ttq = results.map((result) => result.timings.toQuiescenceMs!);
    console.log(`  httpd, all changes, with load: ${view.detail}; TTQ median ${median(ttq).toFixed(3)} ms, max ${Math.max(...ttq).toFixed(3)} ms`);
  });
});

test('update points only: the server works, and an update is called off while the accept loop waits for a connection', async () => {
  await withHttpd('updonly', async (fixture) => {
    await driver.verify(fixture);
    const before = await served(fixture);
    const results = await fixture.probe(3, 10, 200);
    for (const result of results) {
      assert.is(result.outcome, 'called-off');
      if (result.outcome !== 'called-off') continue;
      const blockers = result.blockers.map((strand) => strand.name.split(':')[1]);
      assert.ok(blockers.includes('acceptConnections'), `the accept loop holds up quiescence: ${blockers.join(', ')}`);
    }
    assert.is((await served(fixture)).version, before.version, 'a called-off update changes nothing');
    await driver.verify(fixture);
    console.log(`  httpd, update points only, idle: ${results.map((result) => result.outcome).join(', ')}`);
  });
});

test.run();
