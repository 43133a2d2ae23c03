/** Who is where: the live strands of a thread, and the ones holding up quiescence. */
import { state } from './state';
import { blocks, liveStrands, statusOf, type Strand, type StrandStatus } from './strand';

export interface StrandInfo {
  name: string;
  thread: number;
  status: StrandStatus;
  /** The named wait the strand is in. */
  at: string | undefined;
  /** The nested loop's strand that currently stands for this one. */
  child: string | undefined;
}

function info(strand: Strand): StrandInfo {
  return {
    name: strand.name,
    thread: state.threadId,
    status: statusOf(strand),
    at: strand.boundary ?? strand.at,
    child: strand.child?.name,
  };
}

/** Every live strand of this thread, with its status and the wait it is in. */
export function strands(): StrandInfo[] {
  return [...liveStrands()].map(info);
}

/** The strands that keep an update from reaching full quiescence now: who blocks, and where. */
export function blockers(): StrandInfo[] {
  const out: StrandInfo[] = [];
  for (const strand of state.live) {
    if (strand.child !== undefined) continue;
    if (blocks(strand)) out.push(info(strand));
  }
  return out;
}
