/** `key=value` strings from the command line (`--set`, `--grid`) → plain values. */
import { UserError } from '../util/errors.js';

/** `['gridSpacing=4', 'rgb=false']` → `{gridSpacing: 4, rgb: false}` (numbers, booleans and null parsed). */
export function parseParamAssignments(assignments: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of assignments) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UserError(`--set expects key=value, got '${a}'`);
    out[a.slice(0, eq).trim()] = parseScalar(a.slice(eq + 1).trim());
  }
  return out;
}

/** 'true'/'false', 'null'/'none', numbers and JSON objects/arrays become values; anything else stays a string. */
export function parseScalar(v: string): unknown {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v === 'null' || v === 'none') return null;
  if (v !== '' && Number.isFinite(Number(v))) return Number(v);
  if ((v.startsWith('{') && v.endsWith('}')) || (v.startsWith('[') && v.endsWith(']'))) {
    try {
      return JSON.parse(v);
    } catch {
      /* fall through: a plain string */
    }
  }
  return v;
}

/** Set `a.b.c = value` in a plain object (for `--set path.to.key=value`). */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  if (keys.some((k) => !k)) throw new UserError(`--set: bad key path '${path}'`);
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (o[k] === undefined) o[k] = {};
    const next = o[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next))
      throw new UserError(`--set ${path}: '${k}' is not an object`);
    o = next as Record<string, unknown>;
  }
  o[keys[keys.length - 1]] = value;
}
