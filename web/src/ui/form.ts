/**
 * Controls for a registry entry's parameters, built from its zod schema (via zod's JSON Schema export) and
 * validated by that same schema: what the page accepts is exactly what `--set key=value` accepts. Text
 * fields go through the CLI's own `parseScalar`, so "abc" for a number gets zod's message, as on the CLI.
 */
import { z } from 'zod';
import { parseScalar } from '../../../src/config/assignments.js';
import { h } from './dom.js';

interface JsonProp {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonProp[];
  description?: string;
}

export interface SchemaForm {
  element: HTMLElement;
  /** Parameters as given (blank fields left out, so the schema's defaults apply). */
  values(): Record<string, unknown>;
  /** Validate with the schema; shows each issue beside its field. Returns the parsed params or null. */
  validate(): { ok: true; params: Record<string, unknown> } | { ok: false; message: string };
  set(key: string, value: unknown): void;
}

const BIG = 9007199254740991;

function describe(p: JsonProp): string {
  const alts = p.anyOf ?? [p];
  const parts: string[] = [];
  for (const a of alts) {
    if (a.type === 'null') parts.push('or none');
    else if (a.type === 'integer' || a.type === 'number') {
      const range = [
        a.minimum !== undefined && Math.abs(a.minimum) < BIG ? `≥ ${a.minimum}` : '',
        a.maximum !== undefined && Math.abs(a.maximum) < BIG ? `≤ ${a.maximum}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      parts.push(`${a.type}${range ? ` ${range}` : ''}`);
    } else if (a.type === 'object') parts.push('(a schedule: in a config file)');
    else if (a.type) parts.push(a.type);
  }
  return [...new Set(parts)].join(' ');
}

export function schemaForm(
  schema: z.ZodObject,
  onChange: () => void,
  initial: Record<string, unknown> = {},
  only?: string[],
): SchemaForm {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonProp>;
  };
  const props = Object.entries(json.properties ?? {}).filter(([k]) => !only || only.includes(k));
  const getters: Record<string, () => unknown> = {};
  const setters: Record<string, (v: unknown) => void> = {};
  const errors: Record<string, HTMLElement> = {};
  const rows = props.map(([key, p]) => {
    const id = `f-${key}-${Math.random().toString(36).slice(2, 7)}`;
    const start = key in initial ? initial[key] : undefined;
    let input: HTMLInputElement | HTMLSelectElement;
    if (p.type === 'boolean') {
      const cb = h('input', { type: 'checkbox', id, name: key });
      cb.checked = Boolean(start ?? p.default);
      getters[key] = () => cb.checked;
      setters[key] = (v) => (cb.checked = Boolean(v));
      input = cb;
    } else if (p.enum) {
      const sel = h('select', { id, name: key }, ...p.enum.map((v) => h('option', { value: String(v) }, String(v))));
      sel.value = String(start ?? p.default ?? p.enum[0]);
      getters[key] = () => parseScalar(sel.value);
      setters[key] = (v) => (sel.value = String(v));
      input = sel;
    } else {
      const shown = start ?? p.default;
      const txt = h('input', {
        type: 'text',
        id,
        name: key,
        inputmode: p.type === 'string' ? 'text' : 'decimal',
        placeholder: shown === null || shown === undefined ? 'auto' : String(shown),
        autocomplete: 'off',
        spellcheck: false,
      });
      txt.value =
        start === undefined || start === null ? (p.default === null ? '' : String(p.default ?? '')) : String(start);
      getters[key] = () => (txt.value.trim() === '' ? undefined : parseScalar(txt.value.trim()));
      setters[key] = (v) => (txt.value = v === undefined || v === null ? '' : String(v));
      input = txt;
    }
    input.addEventListener(input instanceof HTMLInputElement && input.type === 'text' ? 'input' : 'change', onChange);
    errors[key] = h('div.field-error', { role: 'alert' });
    return h(
      'div.field',
      {},
      h('label', { for: id }, key),
      input,
      p.enum || p.type === 'boolean' ? null : h('div.hint', {}, describe(p)),
      errors[key],
    );
  });
  const element = h('div.form', {}, ...rows);
  if (!props.length) element.append(h('div.hint', {}, 'no parameters'));
  const values = () => {
    const out: Record<string, unknown> = {};
    for (const [k, g] of Object.entries(getters)) {
      const v = g();
      if (v !== undefined) out[k] = v;
    }
    return { ...Object.fromEntries(Object.entries(initial).filter(([k]) => !(k in getters))), ...out };
  };
  return {
    element,
    values,
    set: (k, v) => setters[k]?.(v),
    validate() {
      for (const e of Object.values(errors)) e.textContent = '';
      const r = schema.safeParse(values());
      if (r.success) return { ok: true, params: r.data as Record<string, unknown> };
      const msgs: string[] = [];
      for (const issue of r.error.issues) {
        const key = String(issue.path[0] ?? '');
        const text = issue.code === 'unrecognized_keys' ? `unknown: ${issue.keys.join(', ')}` : issue.message;
        if (errors[key]) errors[key].textContent = text;
        msgs.push(key ? `${key}: ${text}` : text);
      }
      return { ok: false, message: msgs.join('; ') };
    },
  };
}
