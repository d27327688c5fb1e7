/**
 * Loaders for the field's file-based datasets (datasets.md). Files are looked for at the `path` parameter,
 * else under $DISENTANGLE_DATA_DIR (default ./data). A missing, truncated or corrupt file gives an error
 * with the expected location.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../util/errors.js';

export function dataDir(): string {
  return process.env.DISENTANGLE_DATA_DIR ?? 'data';
}

export function locate(path: string | undefined, dataset: string, defaultRel: string): string {
  const p = path ?? join(dataDir(), defaultRel);
  if (!existsSync(p)) {
    throw new UserError(
      `${dataset}: file not found at ${p}. Put the file there (or set DISENTANGLE_DATA_DIR, or pass --set path=...)`,
    );
  }
  return p;
}

export const pathSchema = z.object({ path: z.string().optional() }).strict();
