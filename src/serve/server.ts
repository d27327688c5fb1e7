/**
 * `disentangle serve`: the built page (dist/web) and a read-only JSON API over run and sweep folders.
 *
 *   GET /api/index                       roots, runs, sweeps
 *   GET /api/run?id=ROOT/…               one run: config, summary, eval, status, pictures
 *   GET /api/log?id=…&file=train|metrics&from=BYTES   new complete lines of train.jsonl / metrics.jsonl
 *   GET /api/sweep?id=…                  a sweep: spec and one row per run
 *   GET /files/ROOT/…/NAME.png|json|…    a file inside a served folder
 *
 * The page polls /api/log once a second for the runs on screen (no connection per run is held open).
 * Only GET and HEAD; only files inside the served folders (see paths.ts); a request from a page on another
 * host name is refused (DNS rebinding), and every failure is a JSON message, never a crash.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadPath, checkSegment, resolveId, resolveSegments, type Root } from './paths.js';
import { isRunFolder, isSweepFolder, runDetails, scan, sweepDetails } from './folders.js';
import { readTail } from './tail.js';
import { UserError } from '../util/errors.js';

/** The built page, beside the compiled server: dist/serve/server.js → dist/web/. */
export const defaultPageDir = fileURLToPath(new URL('../web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.ico': 'image/x-icon',
};
/** What /files/ hands out from the served folders (checkpoints and everything else stay private). */
const SERVED_DATA = new Set(['.png', '.json', '.jsonl', '.csv', '.html', '.svg', '.txt']);

const PAGE_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; img-src 'self' data: blob:; " +
  "style-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export interface ServeOptions {
  roots: Root[];
  port: number;
  host: string;
  pageDir?: string;
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const pageDir = opts.pageDir ?? defaultPageDir;
  const server = createServer((req, res) => {
    try {
      handle(req, res, opts.roots, pageDir);
    } catch (e) {
      fail(res, e);
    }
  });
  // One slow or stuck client must not hold the server.
  server.requestTimeout = 30_000;
  await new Promise<void>((ok, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE')
        reject(
          new UserError(
            `port ${opts.port} on ${opts.host} is already in use: choose another with --port (or --port 0 for any free port)`,
          ),
        );
      else if (e.code === 'EACCES')
        reject(new UserError(`not allowed to listen on port ${opts.port}: choose a port above 1023 with --port`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
        reject(new UserError(`cannot listen on host '${opts.host}': give an address of this machine with --host`));
      else reject(e);
    });
    server.listen(opts.port, opts.host, () => ok());
  });
  server.on('error', (e) => process.stderr.write(`serve: ${e.message}\n`));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    server,
    url: `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown}:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, roots: Root[], pageDir: string): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    throw new HttpError(405, 'read-only: only GET and HEAD');
  }
  checkHost(req);
  const raw = req.url ?? '/';
  // Reject dot segments before URL parsing normalises them away, so that every spelling fails the same way.
  if (/(^|[/\\])(\.|%2e){1,2}([/\\?#]|%2f|%5c|$)/i.test(raw))
    throw new BadPath("'.' and '..' are not allowed in paths");
  const url = new URL(raw, 'http://localhost');
  const path = url.pathname;
  const q = url.searchParams;
  if (path === '/api/index') {
    const { runs, sweeps, truncated } = scan(roots);
    return json(res, {
      roots: roots.map((r) => ({ id: r.id, path: r.given })),
      runs,
      sweeps,
      warnings: truncated ? ['stopped looking after 20,000 folders: serve a narrower folder'] : [],
    });
  }
  if (path === '/api/run') {
    const { root, abs } = resolveId(roots, q.get('id') ?? '');
    if (!isRunFolder(abs))
      throw new HttpError(404, `${q.get('id')} is not a run folder (no config.json and train.jsonl)`);
    return json(res, runDetails(root, abs));
  }
  if (path === '/api/log') {
    const { abs } = resolveId(roots, q.get('id') ?? '');
    if (!isRunFolder(abs))
      throw new HttpError(404, `${q.get('id')} is not a run folder (no config.json and train.jsonl)`);
    const file = q.get('file') ?? 'train';
    if (file !== 'train' && file !== 'metrics')
      throw new HttpError(400, `file must be 'train' or 'metrics', got '${file}'`);
    const from = Number(q.get('from') ?? 0);
    if (!Number.isInteger(from) || from < 0) throw new HttpError(400, `from must be a byte offset ≥ 0`);
    return json(res, readTail(join(abs, `${file}.jsonl`), from));
  }
  if (path === '/api/sweep') {
    const { root, abs } = resolveId(roots, q.get('id') ?? '');
    if (!isSweepFolder(abs)) throw new HttpError(404, `${q.get('id')} is not a sweep folder (no sweep.json)`);
    return json(res, sweepDetails(root, abs, scan([root]).runs));
  }
  if (path.startsWith('/api/')) throw new HttpError(404, `no API endpoint ${path}`);
  if (path.startsWith('/files/')) return sendDataFile(res, roots, path.slice('/files/'.length), req.method === 'HEAD');
  return sendPage(res, pageDir, path, req.method === 'HEAD');
}

/** Only the names this server is reached by: a page on another site that resolves to 127.0.0.1 is refused. */
function checkHost(req: IncomingMessage): void {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const local = req.socket.localAddress?.replace(/^::ffff:/, '') ?? '';
  if (['localhost', '127.0.0.1', '::1', local].includes(host)) return;
  if (req.socket.localAddress && !isLoopback(local)) return; // bound to a public address with --host
  throw new HttpError(403, `unexpected Host header '${req.headers.host}': open the page at the URL serve printed`);
}

function isLoopback(addr: string): boolean {
  return addr === '::1' || addr.startsWith('127.');
}

function decodeSegments(p: string): string[] {
  return p.split('/').map((s) => {
    let d: string;
    try {
      d = decodeURIComponent(s);
    } catch {
      throw new BadPath('malformed percent-encoding in path');
    }
    checkSegment(d);
    return d;
  });
}

function sendDataFile(res: ServerResponse, roots: Root[], rest: string, head: boolean): void {
  const parts = decodeSegments(rest);
  const name = parts[parts.length - 1];
  if (name.startsWith('.')) throw new BadPath('hidden files are not served', 404);
  const ext = extname(name).toLowerCase();
  if (!SERVED_DATA.has(ext)) throw new HttpError(403, `files of type '${ext || name}' are not served`);
  const { abs } = resolveSegments(roots, parts);
  if (!statSync(abs).isFile()) throw new BadPath(`${parts.join('/')} is not a file`, 404);
  // Our own eval.html etc.: shown, but sandboxed (no scripts, an opaque origin).
  if (ext === '.html' || ext === '.svg') res.setHeader('Content-Security-Policy', 'sandbox');
  res.setHeader('Cache-Control', 'no-cache');
  sendFile(res, abs, TYPES[ext], head);
}

function sendPage(res: ServerResponse, pageDir: string, path: string, head: boolean): void {
  const index = join(pageDir, 'index.html');
  if (!existsSync(index)) {
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`The web page is not built (no ${index}). Run \`npm run build\`, then start serve again.\n`);
    return;
  }
  const parts = path === '/' ? ['index.html'] : decodeSegments(path.slice(1));
  const abs = resolve(pageDir, ...parts);
  if (!abs.startsWith(resolve(pageDir))) throw new BadPath('path leaves the page folder');
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new HttpError(404, `no page file ${path}`);
  const ext = extname(abs).toLowerCase();
  if (ext === '.html') res.setHeader('Content-Security-Policy', PAGE_CSP);
  // Hashed asset names never change content; index.html always revalidates.
  res.setHeader('Cache-Control', parts[0] === 'assets' ? 'public, max-age=31536000, immutable' : 'no-cache');
  sendFile(res, abs, TYPES[ext] ?? 'application/octet-stream', head);
}

function sendFile(res: ServerResponse, abs: string, type: string, head: boolean): void {
  const size = statSync(abs).size;
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': size });
  if (head) return void res.end();
  const stream = createReadStream(abs);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function json(res: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(body);
}

function fail(res: ServerResponse, e: unknown): void {
  const status = e instanceof HttpError || e instanceof BadPath ? e.status : 500;
  const message = e instanceof Error ? e.message : String(e);
  if (status === 500) process.stderr.write(`serve: ${e instanceof Error ? (e.stack ?? message) : message}\n`);
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify({ error: message }));
}
