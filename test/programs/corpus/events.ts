// EventEmitter with events.on/events.once in event loops: every event delivered in order, break removes listeners, 'error' rejects.
import { EventEmitter, on, once } from 'node:events';

async function main() {
  const emitter = new EventEmitter();
  const received: unknown[] = [];
  const consumer = (async () => {
    for await (const [value] of on(emitter, 'data')) {
      received.push(value);
      if (value === 'last') break;
    }
  })();
  for (const v of [1, 2, 3, 'last', 'dropped']) emitter.emit('data', v);
  await consumer;
  console.log('received', received.join(','), 'listeners', emitter.listenerCount('data'));

  const ticks = new EventEmitter();
  const onceLoop = (async () => {
    const got: number[] = [];
    while (true) {
      const [n] = await once(ticks, 'tick');
      got.push(n as number);
      if (got.length === 3) return got;
    }
  })();
  let n = 0;
  const emitTicks = () => {
    ticks.emit('tick', n++);
    if (n < 5) setImmediate(emitTicks);
  };
  setImmediate(emitTicks);
  console.log('once loop', (await onceLoop).join(','));

  const failing = new EventEmitter();
  const errorLoop = (async () => {
    for await (const [v] of on(failing, 'value')) console.log('value before error', v);
  })();
  failing.emit('value', 'v1');
  setImmediate(() => failing.emit('error', new Error('emitter failed')));
  await errorLoop.catch((error: Error) => console.log('error loop', error.message));

  const signalled = new EventEmitter();
  const ac = new AbortController();
  const aborted = (async () => {
    for (;;) {
      await once(signalled, 'never', { signal: ac.signal });
    }
  })();
  ac.abort();
  await aborted.catch((error: Error) => console.log('once aborted', error.name));

  const sync = new EventEmitter();
  const order: string[] = [];
  sync.on('go', (x: number) => {
    let i = x;
    while (true) {
      order.push(`go${i}`);
      if (--i < 0) break;
    }
  });
  sync.emit('go', 2);
  order.push('after emit');
  console.log(order.join(' '));
}

main();
