/** Both builds of a benchmark measured in rounds, the order alternating, so drifts of the machine hit both alike. */

export type Variant = 'plain' | 'quiesce';

/** Per round: each build's cost, and transformed / plain. */
export interface Rounds {
  plain: number[];
  quiesce: number[];
  ratios: number[];
}

export async function alternating(count: number, measure: (variant: Variant) => Promise<number>): Promise<Rounds> {
  const out: Rounds = { plain: [], quiesce: [], ratios: [] };
  for (let round = 0; round < count; round++) {
    const order: Variant[] = round % 2 === 0 ? ['plain', 'quiesce'] : ['quiesce', 'plain'];
    const cost = {} as Record<Variant, number>;
    for (const variant of order) cost[variant] = await measure(variant);
    out.plain.push(cost.plain);
    out.quiesce.push(cost.quiesce);
    out.ratios.push(cost.quiesce / cost.plain);
  }
  return out;
}

/** What each loop of bench/programs/hotloop.ts is, as the tables name it (bench and bench:instructions). */
export const HOT_LOOP_NAMES = {
  events: 'event loop parsing and serving memcached commands from memory, 150 ns body (async)',
  'tight-async': 'tight loop, 3 ns body (async)',
  'tight-sync': 'tight loop, 3 ns body (sync)',
  await: 'await of a resolved value per iteration',
  'for-await': 'for await over an async generator',
} as const;
export type HotLoop = keyof typeof HOT_LOOP_NAMES;

/** How bench/hotloop.ts runs a loop: entered once (timed after its warm-up), or called again and again. */
export type HowRun = 'entered' | 'repeated';

export const HOW_RUN: Record<HowRun, string> = { entered: 'entered once (as an event loop), after warm-up', repeated: 'called again and again' };

/** What bench/hotloop.ts prints. */
export interface HotLoopResult extends Record<HowRun, Rounds> {
  /** What the first iterations cost beyond the rest (interpreter, compilation), per round. */
  warmupMs: Record<Variant, number[]>;
}

/**
 * The rounds of several processes as one. Each process lays out its compiled code its own way,
 * and the same two builds compare a few percent apart from one process to the next: a figure
 * pooled over processes samples that, where one process gives one draw of it.
 */
export function pooled(results: HotLoopResult[]): HotLoopResult {
  return {
    entered: concat(results.map((result) => result.entered)),
    repeated: concat(results.map((result) => result.repeated)),
    warmupMs: { plain: results.flatMap((result) => result.warmupMs.plain), quiesce: results.flatMap((result) => result.warmupMs.quiesce) },
  };
}

/** Rounds measured apart (in several processes) as one set. */
export function concat(rounds: Rounds[]): Rounds {
  return {
    plain: rounds.flatMap((one) => one.plain),
    quiesce: rounds.flatMap((one) => one.quiesce),
    ratios: rounds.flatMap((one) => one.ratios),
  };
}
