/**
 * Nothing is lost (design.md, property 1). Several clients stream numbered lines over real TCP
 * sockets to the echo server while the server requests update after update. Each applied update
 * raises the version the server stamps on its echoes, so the clients see updates land between
 * their lines; every update also interrupts the senders' pending pops (a `// @quiescent` loop), so
 * each of them must get its kept operation back. Every line must come back exactly once, in order,
 * on a connection that stays open until its client closes it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LineClient, eventually, withApp, type Outcomes, type Variant } from './support/apps';

const CLIENTS = 4;
/** Lines a client may have sent and not had echoed yet. */
const WINDOW = 8;

interface Stream {
  sent: number;
  client: LineClient;
}

/** Send numbered lines, WINDOW at a time, until `more()` says stop and at least `atLeast` were sent. */
async function stream(client: LineClient, id: number, atLeast: number, more: () => boolean): Promise<Stream> {
  let sent = 0;
  while (sent < atLeast || more()) {
    client.send(`${id}:${sent}`);
    sent++;
    if (sent > WINDOW) await client.receive(sent - WINDOW);
  }
  await client.receive(sent);
  return { sent, client };
}

/** Check one connection's echoes; returns how often the version changed between two of them. */
function checkEchoes(id: number, { sent, client }: Stream): number {
  assert.is(client.received.length, sent, `client ${id}: one echo per line`);
  let version = 0;
  let changes = 0;
  client.received.forEach((echo, k) => {
    const match = /^(\d+):(\d+) v(\d+)$/.exec(echo);
    assert.ok(match !== null, `client ${id}: unexpected echo ${echo}`);
    assert.equal([Number(match![1]), Number(match![2])], [id, k], `client ${id}: echo ${k} out of order`);
    const stamped = Number(match![3]);
    assert.ok(stamped >= version, `client ${id}: version went back from ${version} to ${stamped}`);
    if (k > 0 && stamped > version) changes++;
    version = stamped;
  });
  return changes;
}

/** Stream from every client while the server churns updates; returns the outcomes and version changes seen. */
async function streamThroughUpdates(
  variant: Variant,
  options: { applied: number; timeoutMs: number; atLeast: number },
): Promise<{ outcomes: Outcomes; changes: number[] }> {
  return withApp(variant, 'echo', async (app, port) => {
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => LineClient.connect(port)));
    await app.call('churn', { action: 'bump', applied: options.applied, timeoutMs: options.timeoutMs });
    // The clients stream until the server has applied that many updates (its version tells).
    let enough = false;
    const counted = eventually(`${options.applied} applied updates`, async () =>
      (await app.state()).version > options.applied ? true : undefined,
    ).then(() => (enough = true));
    const streams = await Promise.all(clients.map((client, id) => stream(client, id, options.atLeast, () => !enough)));
    await counted;
    const outcomes = await app.call<Outcomes>('stopChurn');

    const changes = streams.map((s, id) => checkEchoes(id, s));
    assert.is((await app.state()).version, 1 + outcomes.applied, 'each applied update, and only those, changed the version');
    for (const [id, { client }] of streams.entries()) {
      await client.close();
      assert.not.ok(client.endedByServerFirst, `client ${id}: the server ended the connection first`);
    }
    await eventually('the server to let every connection go', async () => ((await app.state()).clients === 0 ? true : undefined));
    return { outcomes, changes };
  });
}

test('interruptible: over 1,000 applied updates, every line comes back exactly once and in order', async () => {
  const { outcomes, changes } = await streamThroughUpdates('quiesce', { applied: 1000, timeoutMs: 1000, atLeast: 300 });
  console.log(`  interruptible: ${JSON.stringify(outcomes)}, version changes seen per connection ${changes.join(', ')}`);
  assert.ok(outcomes.applied >= 1000);
  assert.equal([outcomes['called-off'], outcomes.failed], [0, 0], 'every strand was quiescent or interruptible');
  for (const [id, count] of changes.entries()) assert.ok(count > 0, `client ${id} saw no update land between its lines`);
});

test('update points only: updates are called off while strands block, and still nothing is lost', async () => {
  const { outcomes, changes } = await streamThroughUpdates('updonly', { applied: 0, timeoutMs: 5, atLeast: 200 });
  console.log(`  update points only: ${JSON.stringify(outcomes)}, version changes seen per connection ${changes.join(', ')}`);
  assert.ok(outcomes['called-off'] > 0, 'strands blocked in waits hold quiescence off');
  assert.is(outcomes.failed, 0);
});

test.run();
