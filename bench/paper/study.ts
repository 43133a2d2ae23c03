/**
 * The QBench study's figures (Hayden, Saur, Hicks, Foster, HotSWUp 2012) as issue 3 quotes them,
 * for the columns beside ours. Keyed by our folder under fixtures/.
 */

/** The four runs of Table 2: with the real client's load or without, all changes or update points only. */
export type ConditionKey = 'load-all' | 'load-updonly' | 'idle-all' | 'idle-updonly';

export interface Condition {
  key: ConditionKey;
  load: boolean;
  variant: 'quiesce' | 'updonly';
  title: string;
}

export const CONDITIONS: readonly Condition[] = [
  { key: 'load-all', load: true, variant: 'quiesce', title: 'with load, all changes' },
  { key: 'load-updonly', load: true, variant: 'updonly', title: 'with load, update points only' },
  { key: 'idle-all', load: false, variant: 'quiesce', title: 'without load, all changes' },
  { key: 'idle-updonly', load: false, variant: 'updonly', title: 'without load, update points only' },
];

/** Milliseconds, DNQ (did not quiesce), or 'same' (spread needed no change: update points only is all changes). */
export type StudyTtq = number | 'DNQ' | 'same';

export interface StudyRow {
  /** The program and version the study measured. */
  program: string;
  threads: string;
  updatePoints: number;
  changedLoc: number;
  manualChanges: string;
  ttq: Record<ConditionKey, StudyTtq>;
}

const row = (program: string, threads: string, updatePoints: number, changedLoc: number, manualChanges: string, ttq: StudyTtq[]): StudyRow => ({
  program,
  threads,
  updatePoints,
  changedLoc,
  manualChanges,
  ttq: { 'load-all': ttq[0], 'load-updonly': ttq[1], 'idle-all': ttq[2], 'idle-updonly': ttq[3] },
});

export const STUDY: Readonly<Record<string, StudyRow>> = {
  httpd: row('httpd 2.2.22', '2 + c (c = 3)', 5, 7, '3 (cond. var. loop)', [0.185, 0.23, 0.123, 0.15]),
  icecast: row('icecast 2.3.2', '6', 12, 3, '1 (thread sleeps)', [105.152, 954.32, 107.558, 986.265]),
  iperf: row('iperf 2.0.5', '3 + n (n = 1)', 5, 8, '1 (cond. var. loop)', [0.193, 'DNQ', 0.169, 'DNQ']),
  memcached: row('memcached 1.4.13', '2 + c (c = 4)', 4, 27, '2 (libevent changes)', [0.166, 'DNQ', 0.155, 'DNQ']),
  'space-tyrant': row('space-tyrant 0.354', '3 + 2n (n = 5)', 6, 8, '1 (thread sleeps)', [0.426, 20.583, 0.078, 20.304]),
  spread: row('spread-mon 3.17.4', '4', 4, 3, '0', [0.2, 'same', 0.196, 'same']),
  suricata: row('suricata 1.2.1', '8 + c (c = 3)', 7, 11, '1 (libpcap break)', [0.503, 68.098, 0.378, 'DNQ']),
};

/** The study's figure as a number of milliseconds, if it quiesced. */
export function studyMs(study: StudyRow, key: ConditionKey): number | undefined {
  const value = study.ttq[key];
  if (value === 'same') return studyMs(study, key === 'load-updonly' ? 'load-all' : 'idle-all');
  return value === 'DNQ' ? undefined : value;
}
