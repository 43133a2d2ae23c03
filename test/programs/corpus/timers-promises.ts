// timers/promises in event loops: awaited setTimeout/setImmediate values, for await over setInterval with break, abort.
import { setImmediate as immediate, setInterval as every, setTimeout as after } from 'node:timers/promises';

async function main() {
  const values: string[] = [];
  let i = 0;
  while (true) {
    const v = await after(1, `t${i}`);
    values.push(v);
    values.push(await immediate(`i${i}`));
    if (++i === 3) break;
  }
  console.log(values.join(' '));

  let ticks = 0;
  for await (const value of every(2, 'tick')) {
    ticks++;
    if (ticks === 3) {
      console.log('interval value', value, 'ticks', ticks);
      break;
    }
  }

  const controller = new AbortController();
  const pending = (async () => {
    for (;;) {
      await after(10_000, undefined, { signal: controller.signal });
      console.log('never');
    }
  })();
  setImmediate(() => controller.abort());
  try {
    await pending;
  } catch (error) {
    console.log('aborted', (error as Error).name, (error as { code?: string }).code);
  }

  const ac = new AbortController();
  let seen = 0;
  try {
    for await (const _ of every(1, null, { signal: ac.signal })) {
      if (++seen === 2) ac.abort(new Error('custom reason'));
    }
  } catch (error) {
    console.log('interval aborted', (error as Error).name, seen);
  }
  console.log('done');
}

main();
