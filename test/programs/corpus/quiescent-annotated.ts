// Loops annotated // @quiescent with mid-body awaits (rewritten to interruptible waits). Those may add a
// microtask tick, so each strand here logs into its own list and no output depends on tick-level interleaving.
import { Queue, sleep } from 'quiesce';

async function relay(input: Queue<number>, output: number[]): Promise<string> {
  let handled = 0;
  // @quiescent relay
  while (true) {
    const n = await input.pop();
    if (n < 0) return `relay handled ${handled}`;
    await sleep(1);
    const doubled = await Promise.resolve(n * 2);
    output.push(doubled);
    handled++;
  }
}

async function retrying(attempts: number[]): Promise<string> {
  const log: string[] = [];
  let i = 0;
  // @quiescent
  for (;;) {
    try {
      const ok = await (attempts[i] === 0 ? Promise.reject(new Error(`attempt ${i} failed`)) : Promise.resolve(attempts[i]));
      log.push(`ok ${ok}`);
      if (ok > 1) break;
    } catch (error) {
      log.push((error as Error).message);
    } finally {
      i++;
    }
  }
  return log.join('; ');
}

async function catchForms(): Promise<string> {
  const log: string[] = [];
  let round = 0;
  // @quiescent catch-forms
  while (true) {
    round++;
    try {
      await Promise.reject(new Error(`r${round}`));
    } catch {
      log.push('no binding');
    }
    try {
      await Promise.reject({ code: round });
    } catch ({ code }: any) {
      log.push(`code ${code}`);
    }
    if (round === 2) break;
  }
  return log.join(', ');
}

async function annotatedWhile(limit: number): Promise<number> {
  let total = 0;
  let i = 0;
  // @quiescent
  while (i < limit) {
    total += await Promise.resolve(i);
    i++;
  }
  return total;
}

async function uncaughtInside(): Promise<void> {
  // @quiescent
  for (;;) {
    await sleep(1);
    throw new Error('thrown after an interruptible wait');
  }
}

async function main() {
  const input = new Queue<number>();
  const output: number[] = [];
  const relayed = relay(input, output);
  for (const n of [1, 2, 3, -1]) input.tryPush(n);
  console.log(await relayed, output.join(','));
  console.log(await retrying([0, 0, 1, 0, 2]));
  console.log(await catchForms());
  console.log('annotated while', await annotatedWhile(5));
  await uncaughtInside().catch((error: Error) => console.log(error.message));
}

main();
