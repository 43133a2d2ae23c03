/** What every program's driver provides to its test and to the paper benchmark (bench/paper/run.ts). */
import type { Fixture } from './fixture';

export interface ClientView {
  /** Work the real client completed: requests, bytes, messages, packets ... */
  work: number;
  unit: string;
  errors: number;
  lostConnections: number;
  /** Anything else worth printing (the client's own summary line). */
  detail?: string;
}

export interface Driver {
  /** The folder under fixtures/. */
  name: string;
  /** Debian packages of the real clients it uses. */
  packages: string[];
  /** Arguments for the fixture's main.js (e.g. worker counts: the paper's c and n). */
  args?: string[];
  /** The driver reads what the fixture prints: start it with `{ captureStdout: true }`. */
  captureStdout?: boolean;
  /** The paper's thread count for this configuration, e.g. '2 + c (c = 3)'. */
  threads: string;
  /** Put the real client's load on the running fixture for about `durationMs`; resolve with what the client saw. */
  load(fixture: Fixture, durationMs: number): Promise<ClientView>;
  /** A real client completes real work and the result is checked; throws with a clear message if not. */
  verify(fixture: Fixture): Promise<void>;
}
