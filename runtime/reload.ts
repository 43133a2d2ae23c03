/**
 * Loading the new version of CommonJS modules as an update action, all or nothing.
 *
 * Every module that imported an updated one keeps its exports object and reads members from it
 * at each call (TypeScript's CommonJS output calls `handler_1.handle(…)`), so the new version is
 * installed into that same object: the next call through it runs the new code, as Erlang's next
 * fully qualified call does. The old module is dropped from `require.cache` and from its parent's
 * `module.children`, without which Node never frees it (design.md). If loading, installing or the
 * migration throws, every module is put back as it was and the error propagates, so the update
 * fails with the old version running and its state intact.
 */

export interface ModuleUpdate {
  /** The updated modules' exports objects (old identity, new members), by resolved path. */
  readonly modules: ReadonlyMap<string, Record<PropertyKey, unknown>>;
  /** Members added, replaced or removed, as `path#name`. */
  readonly changed: readonly string[];
}

interface Installed {
  path: string;
  previous: NodeJS.Module;
  fresh: NodeJS.Module;
  descriptors: Map<PropertyKey, PropertyDescriptor>;
}

/**
 * An update action (for `requestUpdate`) that loads the new version of `paths` (absolute, e.g.
 * from `require.resolve`) and then runs `migrate`, which can move state from the old version.
 */
export function moduleUpdate(paths: readonly string[], migrate?: (update: ModuleUpdate) => unknown): () => Promise<ModuleUpdate> {
  return async () => {
    const installed: Installed[] = [];
    try {
      const changed: string[] = [];
      for (const path of paths) installed.push(install(path, changed));
      const update: ModuleUpdate = { modules: new Map(installed.map((entry) => [entry.path, entry.previous.exports])), changed };
      await migrate?.(update);
      return update;
    } catch (error) {
      for (const entry of installed.reverse()) restore(entry);
      throw error;
    }
  };
}

function install(path: string, changed: string[]): Installed {
  const previous = require.cache[path];
  if (previous === undefined) throw new Error(`moduleUpdate: ${path} is not loaded (pass the resolved path of a CommonJS module in use)`);
  const exports = previous.exports as Record<PropertyKey, unknown>;
  const descriptors = new Map(Reflect.ownKeys(exports).map((key) => [key, Object.getOwnPropertyDescriptor(exports, key)!]));
  delete require.cache[path];
  let fresh: NodeJS.Module;
  try {
    require(path);
    fresh = require.cache[path]!;
  } catch (error) {
    require.cache[path] = previous;
    throw error;
  } finally {
    // require() made the new module a child of this one: never keep it here.
    detach(module, require.cache[path]);
  }
  for (const key of Reflect.ownKeys(fresh.exports as object)) {
    const descriptor = Object.getOwnPropertyDescriptor(fresh.exports, key)!;
    const old = descriptors.get(key);
    if (old !== undefined && Object.is(old.value, descriptor.value) && old.get === descriptor.get) continue;
    if (old === undefined || old.configurable) Object.defineProperty(exports, key, { ...descriptor, configurable: true });
    else if (old.writable && 'value' in descriptor) exports[key] = descriptor.value;
    else throw new Error(`moduleUpdate: ${path} exports '${String(key)}' as a fixed binding (a re-export?), which cannot be replaced in place`);
    changed.push(`${path}#${String(key)}`);
  }
  for (const key of descriptors.keys()) {
    if (!(key in (fresh.exports as object)) && Reflect.deleteProperty(exports, key)) changed.push(`${path}#${String(key)} (removed)`);
  }
  // One exports object for old and new importers alike; the old module object goes.
  fresh.exports = exports;
  require.cache[path] = fresh;
  const parent = previous.parent ?? undefined;
  if (parent) {
    detach(parent, previous);
    parent.children.push(fresh);
  }
  return { path, previous, fresh, descriptors };
}

function restore({ path, previous, fresh, descriptors }: Installed): void {
  const exports = previous.exports as Record<PropertyKey, unknown>;
  for (const key of Reflect.ownKeys(exports)) if (!descriptors.has(key)) Reflect.deleteProperty(exports, key);
  for (const [key, descriptor] of descriptors) Object.defineProperty(exports, key, descriptor);
  require.cache[path] = previous;
  const parent = previous.parent ?? undefined;
  if (parent) {
    detach(parent, fresh);
    if (!parent.children.includes(previous)) parent.children.push(previous);
  }
}

function detach(parent: NodeJS.Module, child: NodeJS.Module | undefined): void {
  if (child === undefined) return;
  const index = parent.children.indexOf(child);
  if (index >= 0) parent.children.splice(index, 1);
}
