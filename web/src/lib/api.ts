/** The server's read-only JSON API (src/serve/server.ts). */

export interface RunSummary {
  id: string;
  name: string;
  sweep?: string;
  dataset?: string;
  framework?: string;
  loss?: string;
  steps?: number;
  step?: number;
  lastLoss?: number;
  status: string;
  updated: number;
  hasEval: boolean;
  error?: string;
}

export interface SweepSummary {
  id: string;
  name: string;
  runs: number;
  hasResults: boolean;
  updated: number;
  error?: string;
}

export interface Index {
  roots: Array<{ id: string; path: string }>;
  runs: RunSummary[];
  sweeps: SweepSummary[];
  warnings: string[];
}

export interface RunDetails extends RunSummary {
  config?: Record<string, any>;
  summary?: Record<string, any>;
  eval?: {
    step?: number;
    metrics?: Record<string, number>;
    matrices?: Record<string, { rows: string[]; cols: string[]; values: number[] }>;
  };
  status: string;
  pictures: Array<{ file: string; updated: number }>;
  hasEvalHtml: boolean;
  hasMetricsLog: boolean;
  errors: string[];
}

export interface LogChunk {
  records: Array<Record<string, number>>;
  next: number;
  reset: boolean;
  size: number;
  errors: string[];
  partial: boolean;
}

export interface SweepDetails {
  id: string;
  spec?: Record<string, any>;
  specError?: string;
  source: string;
  columns: string[];
  rows: Array<Record<string, string | number | null>>;
  runIds: Array<string | null>;
  errors: string[];
}

export class ApiError extends Error {}

export async function getJson<T>(path: string, params: Record<string, string | number> = {}): Promise<T> {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  let res: Response;
  try {
    res = await fetch(q ? `${path}?${q}` : path);
  } catch {
    throw new ApiError('the server does not answer: is `disentangle serve` still running?');
  }
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(`${path}: the server answered ${res.status} without JSON`);
  }
  if (!res.ok) throw new ApiError(body?.error ?? `${path}: HTTP ${res.status}`);
  return body as T;
}

export const api = {
  index: () => getJson<Index>('api/index'),
  run: (id: string) => getJson<RunDetails>('api/run', { id }),
  log: (id: string, file: 'train' | 'metrics', from: number) => getJson<LogChunk>('api/log', { id, file, from }),
  sweep: (id: string) => getJson<SweepDetails>('api/sweep', { id }),
  fileUrl: (id: string, file: string, version?: number) =>
    `files/${[...id.split('/'), file].map(encodeURIComponent).join('/')}${version ? `?v=${Math.round(version)}` : ''}`,
};
