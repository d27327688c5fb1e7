/**
 * Vite plugin: the page bundles the toolkit's own modules (datasets, losses, analysis, training), some of which
 * also hold Node-only code — file loaders, PNG files, atomic writes — that the page never calls. Rather than
 * splitting every such module, Node built-ins (and the Node-only packages pngjs and h5wasm) resolve here to
 * stand-ins whose every export throws "… is not available in the browser" when used. Importing stays harmless;
 * calling one is a clear error instead of a silent wrong result.
 */
import { builtinModules, createRequire } from 'node:module';
import type { Plugin } from 'vite';

const NODE_ONLY_PACKAGES = ['pngjs', 'h5wasm', 'h5wasm/node'];
const PREFIX = '\0node-shim:';
const require = createRequire(import.meta.url);

function shimmed(id: string): string | null {
  const bare = id.startsWith('node:') ? id.slice(5) : id;
  if (builtinModules.includes(bare)) return bare;
  if (NODE_ONLY_PACKAGES.includes(id)) return id;
  return null;
}

/** Names a module exports, read from the real module on the building (Node) side. */
function exportNames(id: string): string[] {
  let mod: Record<string, unknown>;
  try {
    mod = require(id) as Record<string, unknown>;
  } catch {
    return [];
  }
  return Object.keys(mod).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
}

export function nodeShims(): Plugin {
  return {
    name: 'disentangle-node-shims',
    enforce: 'pre',
    resolveId(id) {
      const name = shimmed(id);
      return name === null ? null : PREFIX + name;
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const name = id.slice(PREFIX.length);
      const lines = [
        `const unavailable = (what) => function () { throw new Error(what + ' is not available in the browser'); };`,
        `const stub = new Proxy(unavailable('${name}'), { get: (_t, key) => unavailable('${name}.' + String(key)) });`,
        `export default stub;`,
        ...exportNames(name).map((k) => `export const ${k} = unavailable('${name}.${k}');`),
      ];
      return lines.join('\n');
    },
  };
}
