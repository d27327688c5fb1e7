/**
 * Incremental reading of a JSON-lines log that another process is appending to (train.jsonl, metrics.jsonl):
 * from a byte offset, complete lines only — a half-written last line waits for its newline — and a corrupt
 * line is reported and skipped, never fatal. A log that shrank (rewritten on resume) restarts from 0.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

/** At most this much is read per call; the caller asks again from `next`. */
const MAX_CHUNK = 4 * 1024 * 1024;

export interface TailResult {
  records: Array<Record<string, unknown>>;
  /** Offset to ask from next time. */
  next: number;
  /** The file is shorter than `from` was: it was rewritten, and these records start at 0. */
  reset: boolean;
  /** File size now. */
  size: number;
  /** Lines that are not JSON objects: where and why. */
  errors: string[];
  /** Whether a partial (not yet newline-terminated) line is waiting at the end. */
  partial: boolean;
}

export function readTail(path: string, from: number, opts: { skipFirstPartial?: boolean } = {}): TailResult {
  const empty = { records: [], next: 0, reset: from > 0, size: 0, errors: [], partial: false };
  if (!existsSync(path)) return empty;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let start = Number.isFinite(from) && from >= 0 ? Math.floor(from) : 0;
    let reset = false;
    if (start > size) {
      start = 0;
      reset = true;
    }
    const len = Math.min(size - start, MAX_CHUNK);
    const buf = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const n = readSync(fd, buf, got, len - got, start + got);
      if (n === 0) break;
      got += n;
    }
    const lastNl = buf.lastIndexOf(0x0a, got - 1);
    const complete = lastNl >= 0 ? buf.subarray(0, lastNl + 1) : buf.subarray(0, 0);
    const records: Array<Record<string, unknown>> = [];
    const errors: string[] = [];
    let offset = start;
    let first = true;
    for (const line of complete.toString('utf8').split('\n')) {
      const bytes = Buffer.byteLength(line, 'utf8') + 1;
      const skip = first && opts.skipFirstPartial;
      first = false;
      if (!skip && line.trim()) {
        try {
          const v = JSON.parse(line);
          if (v && typeof v === 'object' && !Array.isArray(v)) records.push(v);
          else errors.push(`line at byte ${offset} is not a JSON object`);
        } catch {
          errors.push(`line at byte ${offset} is not valid JSON: ${JSON.stringify(line.slice(0, 60))}`);
        }
      }
      offset += bytes;
    }
    return {
      records,
      next: start + complete.length,
      reset,
      size,
      errors,
      partial: start + complete.length < size && got === size - start,
    };
  } finally {
    closeSync(fd);
  }
}
