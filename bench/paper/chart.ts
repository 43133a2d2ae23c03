/**
 * The time-to-quiescence distributions as a hand-written SVG strip plot on a log scale: a row per
 * program and run, a dot per applied update, the box from p25 to p75 with the median, a tick at
 * p99, the study's figure as a diamond, and DNQ marked where requests were called off.
 */
import { quantile } from '../stats';
import { LIMIT_MS, type Cell } from './measure';
import { CONDITIONS, studyMs, type ConditionKey, type StudyRow } from './study';

export interface ChartProgram {
  name: string;
  study?: StudyRow;
  cells: Partial<Record<ConditionKey, Cell>>;
}

const SHORT: Record<ConditionKey, string> = {
  'load-all': 'load · all changes',
  'load-updonly': 'load · update points only',
  'idle-all': 'no load · all changes',
  'idle-updonly': 'no load · update points only',
};

const WIDTH = 1060;
const LEFT = 280;
const RIGHT = 830;
const ROW = 18;
const GROUP_GAP = 12;
const TOP = 78;
const MIN_MS = 1e-3;
const MAX_MS = LIMIT_MS;
const COLORS = { ours: '#2b6cb0', study: '#dd6b20', dnq: '#c53030', grid: '#e2e8f0', text: '#1a202c', muted: '#718096' };

const x = (ms: number): number => {
  const clamped = Math.min(MAX_MS, Math.max(MIN_MS, ms));
  return LEFT + ((Math.log10(clamped) - Math.log10(MIN_MS)) / (Math.log10(MAX_MS) - Math.log10(MIN_MS))) * (RIGHT - LEFT);
};
const f = (n: number): string => n.toFixed(1);
const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = (px: number, py: number, body: string, attributes = ''): string => `<text x="${f(px)}" y="${f(py)}" ${attributes}>${escape(body)}</text>`;
const diamond = (px: number, py: number, r: number): string =>
  `<path d="M${f(px)} ${f(py - r)}L${f(px + r)} ${f(py)}L${f(px)} ${f(py + r)}L${f(px - r)} ${f(py)}Z" fill="${COLORS.study}"/>`;

function row(cell: Cell | undefined, study: StudyRow | undefined, key: ConditionKey, y: number): string[] {
  const parts: string[] = [];
  const mid = y + ROW / 2;
  if (cell === undefined) {
    parts.push(text(RIGHT + 12, mid + 4, 'not measured', `fill="${COLORS.muted}"`));
  } else {
    const ttq = cell.probes.filter((probe) => probe.outcome === 'applied').map((probe) => probe.toQuiescenceMs!);
    // A fixed jitter (golden-ratio sequence), so that the chart is the same for the same data.
    ttq.forEach((ms, i) => {
      const jitter = (((i * 0.618034) % 1) - 0.5) * (ROW - 6);
      parts.push(`<circle cx="${f(x(ms))}" cy="${f(mid + jitter)}" r="1.7" fill="${COLORS.ours}" fill-opacity="0.35"/>`);
    });
    if (ttq.length > 0) {
      const [p25, median, p75, p99] = [0.25, 0.5, 0.75, 0.99].map((q) => quantile(ttq, q));
      parts.push(`<rect x="${f(x(p25))}" y="${f(mid - 5)}" width="${f(Math.max(1, x(p75) - x(p25)))}" height="10" fill="none" stroke="${COLORS.ours}"/>`);
      parts.push(`<line x1="${f(x(median))}" x2="${f(x(median))}" y1="${f(mid - 7)}" y2="${f(mid + 7)}" stroke="${COLORS.text}" stroke-width="2.5"/>`);
      parts.push(`<line x1="${f(x(p99))}" x2="${f(x(p99))}" y1="${f(mid - 4)}" y2="${f(mid + 4)}" stroke="${COLORS.text}" stroke-width="1.2"/>`);
    }
    const { stats } = cell;
    if (stats.dnq) {
      parts.push(text(RIGHT + 12, mid + 4, `DNQ (${stats.calledOff}/${stats.requests} off)`, `fill="${COLORS.dnq}" font-weight="bold"`));
    } else {
      const off = stats.calledOff > 0 ? `, ${stats.calledOff} off` : '';
      parts.push(text(RIGHT + 12, mid + 4, `${stats.applied}/${stats.requests} applied${off}`, `fill="${stats.calledOff > 0 ? COLORS.dnq : COLORS.muted}"`));
    }
  }
  if (study !== undefined) {
    const ms = studyMs(study, key);
    if (ms === undefined) parts.push(text(RIGHT + 135, mid + 4, 'study: DNQ', `fill="${COLORS.study}" font-style="italic"`));
    else parts.push(diamond(x(ms), mid, 4.5));
  }
  return parts;
}

export function renderChart(programs: readonly ChartProgram[], subtitle: string): string {
  const height = TOP + programs.length * (CONDITIONS.length * ROW + GROUP_GAP) + 40;
  const bottom = height - 34;
  const parts: string[] = [];
  parts.push(text(LEFT - 270, 22, 'Time to quiescence per update request (ms, log scale)', `font-size="15" font-weight="bold" fill="${COLORS.text}"`));
  parts.push(text(LEFT - 270, 40, subtitle, `fill="${COLORS.muted}"`));
  // Legend, left to right.
  const ly = 60;
  let lx = LEFT - 270;
  parts.push(`<circle cx="${lx + 3}" cy="${ly - 4}" r="2.5" fill="${COLORS.ours}" fill-opacity="0.6"/>`, text(lx + 10, ly, 'one applied update'));
  lx += 140;
  parts.push(`<rect x="${lx}" y="${ly - 9}" width="22" height="10" fill="none" stroke="${COLORS.ours}"/>`);
  parts.push(`<line x1="${lx + 11}" x2="${lx + 11}" y1="${ly - 11}" y2="${ly + 3}" stroke="${COLORS.text}" stroke-width="2.5"/>`);
  parts.push(text(lx + 28, ly, 'p25–p75, median'));
  lx += 150;
  parts.push(`<line x1="${lx}" x2="${lx}" y1="${ly - 8}" y2="${ly}" stroke="${COLORS.text}" stroke-width="1.2"/>`, text(lx + 6, ly, 'p99'));
  lx += 50;
  parts.push(diamond(lx + 4, ly - 4, 4.5), text(lx + 13, ly, 'the study (Kitsune, C)'));
  lx += 170;
  parts.push(text(lx, ly, `DNQ: most requests called off at the ${LIMIT_MS / 1000} s limit`, `fill="${COLORS.dnq}"`));
  // Decades.
  for (let exponent = Math.log10(MIN_MS); exponent <= Math.log10(MAX_MS); exponent++) {
    const ms = 10 ** exponent;
    const px = x(ms);
    parts.push(`<line x1="${f(px)}" x2="${f(px)}" y1="${TOP - 6}" y2="${bottom}" stroke="${COLORS.grid}"/>`);
    parts.push(text(px, bottom + 16, ms >= 1 ? String(ms) : String(Number(ms.toPrecision(1))), `text-anchor="middle" fill="${COLORS.muted}"`));
  }
  parts.push(`<line x1="${RIGHT}" x2="${RIGHT}" y1="${TOP - 6}" y2="${bottom}" stroke="${COLORS.dnq}" stroke-dasharray="4 3"/>`);
  parts.push(text(RIGHT, bottom + 30, 'limit (1 s)', `text-anchor="middle" fill="${COLORS.dnq}"`));
  parts.push(text((LEFT + RIGHT) / 2, bottom + 30, 'ms', `text-anchor="middle" fill="${COLORS.muted}"`));
  let y = TOP;
  for (const program of programs) {
    parts.push(text(LEFT - 270, y + (CONDITIONS.length * ROW) / 2 + 4, program.name, `font-weight="bold" fill="${COLORS.text}"`));
    for (const condition of CONDITIONS) {
      parts.push(text(LEFT - 8, y + ROW / 2 + 4, SHORT[condition.key], `text-anchor="end" fill="${COLORS.text}"`));
      parts.push(...row(program.cells[condition.key], program.study, condition.key, y));
      y += ROW;
    }
    parts.push(`<line x1="${LEFT - 270}" x2="${WIDTH - 10}" y1="${f(y + GROUP_GAP / 2)}" y2="${f(y + GROUP_GAP / 2)}" stroke="${COLORS.grid}"/>`);
    y += GROUP_GAP;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
