/**
 * Full quiescence over real sockets (design.md, "Which waits count as quiescent" and property 5).
 * The same app sources run built two ways: with interruptible waits (build/programs/quiesce),
 * where every strand blocked in a wait counts as quiescent and the update is applied, and with
 * update points only (build/programs/updonly), where the blocked strands never reach their update
 * point and the update is called off at its time limit. Either way the program goes on serving.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  LineClient,
  assertFullyQuiescent,
  countByFunction,
  delay,
  eventually,
  loopFunction,
  withApp,
  type AppProcess,
  type StrandInfo,
} from './support/apps';

function inFunction(list: StrandInfo[], fn: string): StrandInfo[] {
  return list.filter((strand) => loopFunction(strand) === fn);
}

/** Two clients of the job server, each answered once so that their connection strands exist. */
async function twoClients(port: number): Promise<LineClient[]> {
  const clients = [await LineClient.connect(port), await LineClient.connect(port)];
  assert.equal(await Promise.all(clients.map((client, i) => client.ask(`hello ${i}`))), ['hello 0 v1', 'hello 1 v1']);
  return clients;
}

const JOB_SERVER = { acceptConnections: 1, readJobs: 2, answerJobs: 1, heartbeat: 1 };

test('interruptible: the accept loop, connection loops, queue consumer and timer loop all reach full quiescence', async () => {
  await withApp('quiesce', 'jobs', async (app, port) => {
    const clients = await twoClients(port);
    const result = await app.update({ label: 'observe', action: 'bump' });
    assert.is(result.outcome, 'applied');
    assert.type(result.timings.toQuiescenceMs, 'number');

    const seen = await app.action('observe', 'start');
    assertFullyQuiescent(seen);
    assert.equal(countByFunction(seen.strands), JOB_SERVER);
    for (const strand of seen.strands.filter((s) => s.status === 'quiet')) assert.ok(strand.at?.startsWith(`${strand.name}:`), strand.name);
    for (const strand of [...inFunction(seen.strands, 'acceptConnections'), ...inFunction(seen.strands, 'readJobs')]) {
      assert.is(strand.at, `${strand.name}:next`);
    }
    assertFullyQuiescent(await app.action('observe', 'end'));

    // The update was applied and every strand goes on, in the new version.
    assert.equal(await Promise.all(clients.map((client, i) => client.ask(`again ${i}`))), ['again 0 v2', 'again 1 v2']);
    const late = await LineClient.connect(port);
    assert.is(await late.ask('late'), 'late v2');
    await app.grows('ticks');
    for (const client of [...clients, late]) await client.close();
  });
});

test('update points only: the strands blocked in waits hold quiescence off, the update is called off, and every strand goes on', async () => {
  await withApp('updonly', 'jobs', async (app, port) => {
    const clients = await twoClients(port);
    await app.request({ label: 'blocked', action: 'bump', timeoutMs: 300 });
    // The heartbeat's sleep ends, so it reaches its update point; nothing else does.
    const parked = await eventually('the heartbeat to park', async () => {
      const now = await app.strands();
      return inFunction(now, 'heartbeat')[0]?.status === 'parked' ? now : undefined;
    });
    for (const strand of parked.filter((s) => loopFunction(s) !== 'heartbeat')) assert.is(strand.status, 'running', strand.name);

    const result = await app.result('blocked');
    assert.is(result.outcome, 'called-off');
    if (result.outcome !== 'called-off') return;
    assert.is(result.timings.toQuiescenceMs, undefined);
    assert.equal(countByFunction(result.blockers), { acceptConnections: 1, readJobs: 2, answerJobs: 1 });
    for (const blocker of result.blockers) assert.is(blocker.status, 'running');
    assert.is(app.actions.length, 0, 'the action never ran');

    // Nothing changed and nothing stopped: old version, same strands, the server still answers.
    assert.equal(await Promise.all(clients.map((client, i) => client.ask(`again ${i}`))), ['again 0 v1', 'again 1 v1']);
    const late = await LineClient.connect(port);
    assert.is(await late.ask('late'), 'late v1');
    assert.equal(countByFunction(await app.strands()), { ...JOB_SERVER, readJobs: 3 });
    await app.grows('ticks');
    for (const client of [...clients, late]) await client.close();
  });
});

test('a connection reset by its client ends its strand, and the next update still reaches full quiescence', async () => {
  await withApp('quiesce', 'jobs', async (app, port) => {
    const [kept, reset] = await twoClients(port);
    // The strand leaves from its pending next(), which rejects with ECONNRESET.
    reset.reset();
    await eventually('the reset connection to end', async () => (countByFunction(await app.strands()).readJobs === 1 ? true : undefined));
    const result = await app.update({ label: 'after-reset', action: 'bump' });
    assert.is(result.outcome, 'applied');
    assertFullyQuiescent(await app.action('after-reset', 'start'));
    assert.is(await kept.ask('still here'), 'still here v2');
    await kept.close();
  });
});

const WRITER = 'apps/journal.ts:writeEntries:loop1';
const AUDITOR = 'apps/journal.ts:auditJournal:loop1';

/** Both strands of the journal go on: the writer writes, and a commit lets the auditor in. */
async function journalGoesOn(app: AppProcess): Promise<void> {
  await app.grows('written');
  await app.grows('audits', () => app.call('command', { name: 'commit' }));
}

test("the seed's mutex scenario, interruptible: a strand waiting for a Mutex held across another's update point does not stop quiescence", async () => {
  await withApp('quiesce', 'journal', async (app) => {
    await journalGoesOn(app);
    const result = await app.update({ label: 'observe' });
    assert.is(result.outcome, 'applied');
    const seen = await app.action('observe', 'start');
    assertFullyQuiescent(seen);
    assert.is(seen.state.locked, true, 'the writer holds the journal during the update');
    assert.ok(seen.strands.some((strand) => strand.name === WRITER));
    const auditor = seen.strands.find((strand) => strand.name === AUDITOR);
    assert.equal([auditor?.status, auditor?.at], ['quiet', `${AUDITOR}:wait1`]);
    await journalGoesOn(app);
  });
});

test("the seed's mutex scenario, update points only: the writer parks holding the Mutex and the auditor blocks quiescence", async () => {
  await withApp('updonly', 'journal', async (app) => {
    await journalGoesOn(app);
    const result = await app.update({ label: 'deadlock', timeoutMs: 300 });
    assert.is(result.outcome, 'called-off');
    if (result.outcome !== 'called-off') return;
    assert.is(result.timings.toQuiescenceMs, undefined);
    assert.equal(
      result.blockers.map((blocker) => [blocker.name, blocker.status]),
      [[AUDITOR, 'running']],
    );
    // The update was called off, not the program.
    await journalGoesOn(app);
  });
});

test('a strand that begins while an update is pending parks at its first update point until the update is over', async () => {
  await withApp('quiesce', 'echo', async (app, port) => {
    const first = await LineClient.connect(port);
    assert.is(await first.ask('one'), 'one v1');
    await app.request({ label: 'held', action: 'bump', hold: true });
    assertFullyQuiescent(await app.action('held', 'start'));

    // A client connects during the action: its connection's strands begin now.
    const late = await LineClient.connect(port);
    late.send('hello');
    // Parked: the new connection's two strands, and the first one's sender, whose wait was interrupted.
    const during = await eventually('the new connection to park', async () => {
      const now = await app.strands();
      return now.length === 4 && now.filter((strand) => strand.status === 'parked').length === 3 ? now : undefined;
    });
    assert.equal(countByFunction(during), { readLines: 2, sendEchoes: 2 });
    assert.is(during.filter((strand) => strand.status === 'quiet').length, 1);
    const { received } = await app.state();
    await delay(100);
    assert.is((await app.state()).received, received, 'the new strand ran its body during the update');
    assert.equal(late.received, []);

    await app.release('held');
    assert.is((await app.result('held')).outcome, 'applied');
    assertFullyQuiescent(await app.action('held', 'end'));
    // Then it goes on, in the new version.
    assert.equal(await late.receive(1), ['hello v2']);
    assert.is(await first.ask('two'), 'two v2');
    await first.close();
    await late.close();
  });
});

test.run();
