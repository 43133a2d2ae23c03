/** The plugin's options, validated: a wrong option is an error that names it. */

export interface QuiesceOptions {
  /** Rewrite blocking waits (default). false: update points only, the paper's "Upd only". */
  interruptible: boolean;
  /** Where to write the JSON report, relative to the tsconfig's folder; none if undefined. */
  report: string | undefined;
}

/** Keys ts-patch itself reads from a plugin entry. */
const TS_PATCH_KEYS = new Set(['transform', 'type', 'import', 'isEsm', 'after', 'afterDeclarations', 'transformProgram', 'resolvePathAliases', 'tsConfig', 'name']);
const OWN_KEYS = ['interruptible', 'report'];

export class OptionsError extends Error {}

export function parseOptions(config: Record<string, unknown>, where = 'quiesce/transformer'): QuiesceOptions {
  for (const key of Object.keys(config)) {
    if (!TS_PATCH_KEYS.has(key) && !OWN_KEYS.includes(key)) {
      throw new OptionsError(`${where}: unknown option '${key}' (known options: ${OWN_KEYS.join(', ')})`);
    }
  }
  if (config.type !== undefined && config.type !== 'program') {
    throw new OptionsError(`${where}: option 'type' must be 'program' (or left out), got ${JSON.stringify(config.type)}`);
  }
  for (const key of ['after', 'afterDeclarations', 'transformProgram']) {
    if (config[key]) throw new OptionsError(`${where}: option '${key}' is not supported: quiesce runs before TypeScript's own transforms`);
  }
  const interruptible = config.interruptible ?? true;
  if (typeof interruptible !== 'boolean') {
    throw new OptionsError(`${where}: option 'interruptible' must be true or false, got ${JSON.stringify(interruptible)}`);
  }
  const report = config.report;
  if (report !== undefined && (typeof report !== 'string' || report.trim() === '')) {
    throw new OptionsError(`${where}: option 'report' must be a file path, got ${JSON.stringify(report)}`);
  }
  return { interruptible, report: report as string | undefined };
}
