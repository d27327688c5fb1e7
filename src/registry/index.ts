/**
 * One registry mechanism for every kind of thing the toolkit names: datasets, frameworks, losses, metrics,
 * backends and experiments. The CLI, configs and the web page discover what exists from these registries.
 *
 * Entries are lazy (as disent's `LazyImport`): the registry holds a name and a loader, and the entry's module
 * is imported the first time the entry is asked for — so importing the metrics does not import every dataset.
 * Definitions are built with typed helpers (`defineDataset`, `defineFramework`, …) from a zod schema, and
 * validate their parameters at the door with one shared error formatter.
 */
import type { z } from 'zod';
import { UserError, listChoices } from '../util/errors.js';

/** What every registry entry has. */
export interface Definition {
  readonly name: string;
  /** One line for listings (`disentangle datasets`, `--help`, the web page). */
  readonly description: string;
}

/**
 * @typeParam D the definition an entry loads
 * @typeParam M what is known of an entry without loading it (declared on its registry line), e.g. a metric's kind
 */
export class Registry<D extends Definition, M extends object = object> {
  private readonly loaders = new Map<string, () => Promise<D>>();
  private readonly metas = new Map<string, M>();
  private readonly loaded = new Map<string, Promise<D>>();

  /**
   * @param kind what an entry is called in messages ('dataset', 'framework', …)
   * @param hint appended to "unknown …" messages, e.g. "(see `disentangle datasets`)"
   */
  constructor(
    readonly kind: string,
    private readonly hint = '',
  ) {}

  /** Register `name`; `load` imports its module and returns the definition (called once, on first use). */
  add(name: string, load: () => Promise<D>, ...meta: object extends M ? [M?] : [M]): this {
    if (this.loaders.has(name)) throw new Error(`${this.kind} '${name}' is registered twice`);
    this.loaders.set(name, load);
    if (meta[0]) this.metas.set(name, meta[0]);
    return this;
  }

  /** What the registry line says of `name` (without loading it). */
  meta(name: string): M {
    const m = this.metas.get(name);
    if (!m && !this.loaders.has(name)) throw this.unknown(name);
    return m ?? ({} as M);
  }

  /** Every registered name, in registration order; imports nothing. */
  names(): string[] {
    return [...this.loaders.keys()];
  }

  has(name: string): boolean {
    return this.loaders.has(name);
  }

  /** The definition of `name` (importing its module on first use); a UserError listing the choices if unknown. */
  get(name: string): Promise<D> {
    const cached = this.loaded.get(name);
    if (cached) return cached;
    const load = this.loaders.get(name);
    if (!load) return Promise.reject(this.unknown(name));
    const p = load().then((def) => {
      if (def.name !== name) throw new Error(`${this.kind} '${name}' loads a definition named '${def.name}'`);
      return def;
    });
    this.loaded.set(name, p);
    return p;
  }

  /** Every definition (imports every module). */
  all(): Promise<D[]> {
    return Promise.all(this.names().map((n) => this.get(n)));
  }

  /** The error for an unknown name: what was asked, and what exists. */
  unknown(name: string): UserError {
    return new UserError(`unknown ${this.kind} '${name}': choose ${listChoices(this.names())}${this.hint}`);
  }
}

/**
 * A zod error as one line naming each bad key and what it allows; `what` says whose parameters they are,
 * e.g. "dataset 'xysquares'". Unknown keys list the valid ones (from the object schema's shape).
 */
export function formatZodError(what: string, err: z.ZodError, schema?: z.ZodType, noun = 'key'): string {
  const valid = schema && 'shape' in schema ? Object.keys((schema as z.ZodObject).shape) : null;
  const msgs = err.issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      const keys = i.keys.map((k) => `'${[...i.path, k].join('.')}'`).join(', ');
      const list = valid && i.path.length === 0 ? ` (valid: ${valid.join(', ') || 'none'})` : '';
      return `unknown ${noun}${i.keys.length > 1 ? 's' : ''} ${keys}${list}`;
    }
    return `'${i.path.join('.') || '(value)'}': ${i.message}`;
  });
  return `${what}: ${msgs.join('; ')}`;
}

/** Parse `params` (a definition's parameters) with `schema`, or throw a UserError in the shared format. */
export function parseParams<S extends z.ZodType>(what: string, schema: S, params: unknown): z.output<S> {
  const parsed = schema.safeParse(params ?? {});
  if (!parsed.success) throw new UserError(formatZodError(what, parsed.error, schema, 'parameter'));
  return parsed.data;
}
