/**
 * The served folders ("roots") and the only way a request names a file: `<rootId>/<segment>/…`.
 * Every segment is checked (no '', '.', '..', separators, NUL) and the resolved path — symlinks followed —
 * must stay inside its root, so no spelling of `../` (plain, percent-encoded, absolute, backslashed) escapes.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, resolve, sep } from 'node:path';
import { UserError } from '../util/errors.js';

export interface Root {
  /** The first segment of every id under this root (the folder's name, made unique). */
  id: string;
  /** Absolute, symlinks resolved. */
  abs: string;
  /** As the user named it. */
  given: string;
}

/** Open the folders named on the command line; each must exist and be a folder. */
export function openRoots(dirs: readonly string[]): Root[] {
  const roots: Root[] = [];
  const used = new Set<string>();
  for (const given of dirs) {
    if (!existsSync(given)) throw new UserError(`no folder at ${given}: name folders that hold runs or sweeps`);
    if (!statSync(given).isDirectory()) throw new UserError(`${given} is not a folder: name folders of runs or sweeps`);
    const abs = realpathSync(resolve(given));
    if (roots.some((r) => r.abs === abs)) continue;
    const base = (basename(abs) || 'root').replace(/[^\w.-]/g, '_');
    let id = base;
    for (let k = 2; used.has(id); k++) id = `${base}-${k}`;
    used.add(id);
    roots.push({ id, abs, given });
  }
  return roots;
}

export class BadPath extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
  }
}

/** Check one decoded path segment. */
export function checkSegment(s: string): void {
  if (s === '' || s === '.' || s === '..') throw new BadPath(`path segment '${s}' is not allowed`);
  if (/[/\\\0]/.test(s)) throw new BadPath('path segments may not contain separators or NUL');
}

/** Split an id such as `out/run-1` into checked segments. */
export function idSegments(id: string): string[] {
  if (typeof id !== 'string' || id.length === 0 || id.length > 4096) throw new BadPath('missing or too long id');
  const parts = id.split('/');
  parts.forEach(checkSegment);
  return parts;
}

/** Resolve checked segments (the first names the root) to an absolute path inside that root. */
export function resolveSegments(roots: readonly Root[], parts: readonly string[]): { root: Root; abs: string } {
  const root = roots.find((r) => r.id === parts[0]);
  if (!root) throw new BadPath(`no served folder '${parts[0]}'`, 404);
  const abs = resolve(root.abs, ...parts.slice(1));
  if (!inside(root.abs, abs)) throw new BadPath('path leaves the served folder');
  if (!existsSync(abs)) throw new BadPath(`nothing at ${parts.join('/')}`, 404);
  // Symlinks: the real path must stay inside too.
  if (!inside(root.abs, realpathSync(abs))) throw new BadPath('path leaves the served folder');
  return { root, abs };
}

export function resolveId(roots: readonly Root[], id: string): { root: Root; abs: string } {
  return resolveSegments(roots, idSegments(id));
}

function inside(rootAbs: string, p: string): boolean {
  return p === rootAbs || p.startsWith(rootAbs.endsWith(sep) ? rootAbs : rootAbs + sep);
}

/** The id of an absolute path known to be inside `root`. */
export function idOf(root: Root, abs: string): string {
  const rel = abs.slice(root.abs.length).split(sep).filter(Boolean);
  return [root.id, ...rel].join('/');
}
