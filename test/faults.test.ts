/**
 * When an update cannot be applied, or several are asked for at once (design.md, property 3 "It
 * always ends", and the queueing of requests), and what an interrupted `// @quiescent` wait keeps
 * (property 1). Each scenario app runs in a child process built with interruptible waits.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LineClient, assertFullyQuiescent, eventually, loopFunction, withApp } from './support/apps';

test('an action that throws fails the update: strands go on in the old version with its state intact', async () => {
  await withApp('quiesce', 'jobs', async (app, port) => {
    const client = await LineClient.connect(port);
    assert.is(await client.ask('before'), 'before v1');

    const result = await app.update({ label: 'failing', action: 'failing' });
    assert.is(result.outcome, 'failed');
    if (result.outcome !== 'failed') return;
    assert.instance(result.error, Error);
    assert.is((result.error as Error).message, 'cannot migrate to v2');
    assert.type(result.timings.toQuiescenceMs, 'number', 'quiescence was reached before the action ran');
    assertFullyQuiescent(await app.action('failing', 'start'));

    assert.is((await app.state()).version, 1);
    assert.is(await client.ask('after'), 'after v1');
    await app.grows('ticks');
    assert.ok((await app.strands()).every((strand) => strand.status !== 'parked'), 'no strand stays parked');

    assert.is((await app.update({ label: 'fixed', action: 'bump' })).outcome, 'applied');
    assert.is(await client.ask('fixed'), 'fixed v2');
    await client.close();
  });
});

test('a strand busy in a wait that is not interruptible makes the update be called off at its time limit; a later request succeeds', async () => {
  await withApp('quiesce', 'jobs', async (app, port) => {
    const client = await LineClient.connect(port);
    assert.is(await client.ask('first'), 'first v1');
    // The consumer sleeps in the middle of its loop body: a wait the transform left alone.
    client.send('slow 600 slow');
    const consumer = await eventually('the consumer to be busy', async () =>
      (await app.strands()).find((strand) => loopFunction(strand) === 'answerJobs' && strand.status === 'running'),
    );

    const result = await app.update({ label: 'limited', action: 'bump', timeoutMs: 100 });
    assert.is(result.outcome, 'called-off');
    if (result.outcome !== 'called-off') return;
    assert.is(result.timings.toQuiescenceMs, undefined);
    assert.is(result.timings.firstToFullMs, undefined);
    assert.type(result.timings.pauseMs, 'number');
    assert.equal(result.blockers, [consumer]);
    assert.is(app.actions.length, 0, 'the action never ran');

    // The slow job is answered in the old version, and then an update goes through.
    assert.equal(await client.receive(2), ['first v1', 'slow v1']);
    assert.is((await app.update({ label: 'later', action: 'bump' })).outcome, 'applied');
    assertFullyQuiescent(await app.action('later', 'start'));
    assert.is(await client.ask('later'), 'later v2');
    await client.close();
  });
});

test('requests made during an update, from inside its action and from outside, are queued and never interleaved', async () => {
  await withApp('quiesce', 'jobs', async (app, port) => {
    const client = await LineClient.connect(port);
    assert.is(await client.ask('hello'), 'hello v1');

    await app.request({ label: 'outer', action: 'bump', hold: true, nested: { label: 'nested', action: 'bump' } });
    await app.action('outer', 'start');
    await app.request({ label: 'outside', action: 'bump' });
    // Neither queued update starts while the outer action still runs.
    assert.is((await app.state()).version, 1);
    assert.equal(app.actions.map((event) => event.label), ['outer']);
    await app.release('outer');

    for (const label of ['outer', 'nested', 'outside']) assert.is((await app.result(label)).outcome, 'applied', label);
    assert.equal(
      app.actions.map((event) => `${event.label} ${event.phase}`),
      ['outer start', 'outer end', 'nested start', 'nested end', 'outside start', 'outside end'],
    );
    // Each action saw full quiescence and the state the one before it left.
    app.actions.forEach(assertFullyQuiescent);
    assert.equal(
      app.actions.filter((event) => event.phase === 'start').map((event) => event.state.version),
      [1, 2, 3],
    );
    assert.is(await client.ask('after'), 'after v4');
    await client.close();
  });
});

test('an interrupted @quiescent wait keeps its operation and gets it back: nothing is lost, the work before the wait repeats', async () => {
  await withApp('quiesce', 'echo', async (app, port) => {
    const client = await LineClient.connect(port);
    assert.is(await client.ask('hello'), 'hello v1');
    const sender = async () => (await app.strands()).find((strand) => loopFunction(strand) === 'sendEchoes')!;
    assert.equal([(await sender()).status, (await sender()).at], ['waiting', 'apps/echo.ts:sendEchoes:loop1:wait1']);
    const before = await app.state();

    // Each update interrupts the sender's pending pop. The 'announce' action pushes a notice while
    // the sender is parked: it goes to the kept pop, which the sender must get back afterwards.
    const updates = 5;
    for (let i = 0; i < updates; i++) {
      const label = `announce ${i}`;
      assert.is((await app.update({ label, action: 'announce' })).outcome, 'applied');
      const seen = await app.action(label, 'start');
      assertFullyQuiescent(seen);
      assert.equal(
        seen.strands.filter((strand) => loopFunction(strand) === 'sendEchoes').map((strand) => strand.status),
        ['parked'],
        'the sender was interrupted, not counted quiescent',
      );
      client.send(`echo ${i}`);
      await client.receive(1 + 2 * (i + 1));
    }

    const expected = ['hello v1'];
    for (let i = 0; i < updates; i++) expected.push(`* now v${i + 2}`, `echo ${i} v${i + 2}`);
    assert.equal(client.received, expected);
    // Every line sent once came back once; each interrupt repeated the count before the wait once.
    const after = await app.state();
    const sends = client.received.length - 1;
    assert.is(after.writerWaits - before.writerWaits, sends + updates);
    await client.close();
  });
});

test.run();
