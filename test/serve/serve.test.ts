import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { openRoots, startServer, readTail, type RunningServer } from '../../src/serve/index.js';
import { parseCsv } from '../../src/serve/csv.js';
import { UserError } from '../../src/util/errors.js';
import { logLine, writeRun, writeSweep } from '../web/fixtures.js';

/** A raw request: the path goes on the wire exactly as written (no client-side normalisation of `..`). */
function raw(
  url: string,
  path: string,
  o: { method?: string; host?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request(
      { host: u.hostname, port: u.port, path, method: o.method ?? 'GET', headers: o.host ? { host: o.host } : {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', fail);
    req.end();
  });
}

describe('disentangle serve', () => {
  const base = mkdtempSync(join(tmpdir(), 'serve-'));
  const out = join(base, 'out');
  const secret = join(base, 'secret.json');
  let srv: RunningServer;

  beforeAll(async () => {
    writeRun(join(out, 'run-a'), { eval: true });
    writeRun(join(out, 'nested', 'run-b'), { logged: 30 });
    writeSweep(join(out, 'sweep'));
    mkdirSync(join(out, 'not-a-run'));
    writeFileSync(join(out, 'not-a-run', 'notes.txt'), 'hello');
    mkdirSync(join(out, 'broken'));
    writeFileSync(join(out, 'broken', 'config.json'), '{ not json');
    writeFileSync(join(out, 'broken', 'train.jsonl'), '');
    writeFileSync(join(out, 'run-a', 'ckpt-200.bin'), 'binary');
    writeFileSync(secret, '{"secret": true}');
    symlinkSync(base, join(out, 'escape'));
    srv = await startServer({ roots: openRoots([out]), port: 0, host: '127.0.0.1', pageDir: join(base, 'no-page') });
  });
  afterAll(() => srv?.close());

  it('lists runs and sweeps, and reads a broken run as a message', async () => {
    const r = await raw(srv.url, '/api/index');
    expect(r.status).toBe(200);
    const idx = JSON.parse(r.body);
    const ids = idx.runs.map((x: { id: string }) => x.id);
    expect(ids).toContain('out/run-a');
    expect(ids).toContain('out/nested/run-b');
    expect(ids.filter((i: string) => i.startsWith('out/sweep/runs/'))).toHaveLength(24);
    expect(ids).not.toContain('out/not-a-run');
    expect(idx.sweeps.map((s: { id: string }) => s.id)).toEqual(['out/sweep']);
    const broken = idx.runs.find((x: { id: string }) => x.id === 'out/broken');
    expect(broken.status).toBe('broken');
    expect(broken.error).toMatch(/config\.json is not valid JSON/);
    const a = idx.runs.find((x: { id: string }) => x.id === 'out/run-a');
    expect(a).toMatchObject({ dataset: 'xysquares', framework: 'betavae', steps: 200, step: 200, hasEval: true });
  });

  it('answers a folder that is not a run with a clear 404', async () => {
    const r = await raw(srv.url, '/api/run?id=out/not-a-run');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).error).toBe('out/not-a-run is not a run folder (no config.json and train.jsonl)');
    const s = await raw(srv.url, '/api/sweep?id=out/run-a');
    expect(s.status).toBe(404);
    expect(JSON.parse(s.body).error).toMatch(/not a sweep folder/);
  });

  it.each([
    ['/files/out/../secret.json'],
    ['/files/out/%2e%2e/secret.json'],
    ['/files/out/%2E%2E/secret.json'],
    ['/files/out/..%2fsecret.json'],
    ['/files/out/run-a/..%2F..%2Fsecret.json'],
    ['/files/out/.%2e/secret.json'],
    ['/files/out/..%5csecret.json'],
    ['/files/out/..\\secret.json'],
    ['/files//etc/passwd'],
    ['/files/%2fetc%2fpasswd'],
    ['/files/out/%252e%252e/secret.json'],
    ['/files/out/escape/secret.json'],
    ['/files/out/run-a/%00config.json'],
    ['/../../etc/passwd'],
    ['/assets/../../package.json'],
    ['/api/run?id=out/../secret.json'],
    ['/api/run?id=out%2F..%2F..'],
    ['/api/run?id=/etc'],
    ['/api/run?id=out/escape'],
    ['/api/log?id=out/..&file=train'],
    ['/api/log?id=out/run-a&file=../../secret'],
  ])('refuses %s', async (path) => {
    const r = await raw(srv.url, path);
    expect([400, 403, 404]).toContain(r.status);
    expect(r.body).not.toContain('secret": true');
    expect(r.body).not.toContain('root:');
    expect(JSON.parse(r.body).error).toBeTruthy();
  });

  it('serves pictures and JSON of a run, never checkpoints, and is read-only', async () => {
    expect((await raw(srv.url, '/files/out/run-a/config.json')).status).toBe(200);
    const bin = await raw(srv.url, '/files/out/run-a/ckpt-200.bin');
    expect(bin.status).toBe(403);
    expect(JSON.parse(bin.body).error).toMatch(/not served/);
    const post = await raw(srv.url, '/api/index', { method: 'POST' });
    expect(post.status).toBe(405);
    expect((await raw(srv.url, '/files/out/run-a/config.json', { method: 'DELETE' })).status).toBe(405);
  });

  it('refuses requests for another host name (DNS rebinding)', async () => {
    const r = await raw(srv.url, '/api/index', { host: 'attacker.example:80' });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error).toMatch(/unexpected Host header/);
  });

  it('says the page is not built instead of failing', async () => {
    const r = await raw(srv.url, '/');
    expect(r.status).toBe(503);
    expect(r.body).toMatch(/npm run build/);
  });

  it('reads a live log incrementally: a half-written line waits, a corrupt line is reported and skipped', async () => {
    const id = 'out/nested/run-b';
    const first = JSON.parse((await raw(srv.url, `/api/log?id=${id}&file=train&from=0`)).body);
    expect(first.records.map((r: { step: number }) => r.step)).toEqual([10, 20, 30]);
    const log = join(out, 'nested', 'run-b', 'train.jsonl');
    const line = logLine(40);
    appendFileSync(log, line.slice(0, 25)); // half-written
    const mid = JSON.parse((await raw(srv.url, `/api/log?id=${id}&file=train&from=${first.next}`)).body);
    expect(mid.records).toEqual([]);
    expect(mid.partial).toBe(true);
    expect(mid.next).toBe(first.next);
    appendFileSync(log, line.slice(25) + '{"step": 50, "loss": oops}\n' + logLine(60));
    const rest = JSON.parse((await raw(srv.url, `/api/log?id=${id}&file=train&from=${mid.next}`)).body);
    expect(rest.records.map((r: { step: number }) => r.step)).toEqual([40, 60]);
    expect(rest.errors).toHaveLength(1);
    expect(rest.errors[0]).toMatch(/is not valid JSON/);
    // A log rewritten shorter (resume truncates it) starts again from 0.
    writeFileSync(log, logLine(10));
    const again = JSON.parse((await raw(srv.url, `/api/log?id=${id}&file=train&from=${rest.next}`)).body);
    expect(again.reset).toBe(true);
    expect(again.records.map((r: { step: number }) => r.step)).toEqual([10]);
  });

  it('gives a sweep one row per run from results.csv, each linked to its run folder', async () => {
    const s = JSON.parse((await raw(srv.url, '/api/sweep?id=out/sweep')).body);
    expect(s.source).toBe('results.csv');
    expect(s.rows).toHaveLength(24);
    expect(s.columns.slice(0, 4)).toEqual(['run', 'dataset.gridSpacing', 'framework.beta', 'seed']);
    expect(s.runIds.every((r: string | null) => r && r.startsWith('out/sweep/runs/'))).toBe(true);
    expect(s.rows.filter((r: { status: string }) => r.status === 'failed')).toHaveLength(1);
  });

  it('assembles a sweep still running (no results.csv) from its run folders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-live-'));
    writeSweep(join(dir, 'sw'));
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'sw', 'results.csv'));
    const s2 = await startServer({ roots: openRoots([dir]), port: 0, host: '127.0.0.1' });
    try {
      const s = JSON.parse((await raw(s2.url, `/api/sweep?id=${openRoots([dir])[0].id}/sw`)).body);
      expect(s.source).toBe('run folders');
      expect(s.rows).toHaveLength(24);
      expect(s.columns).toContain('dataset.gridSpacing');
      expect(s.columns).toContain('framework.beta');
      expect(s.columns).toContain('mig');
      expect(s.columns).not.toContain('model.z'); // the same in every run: not a swept parameter
    } finally {
      await s2.close();
    }
  });

  it('says when the port is in use, and refuses folders that do not exist', async () => {
    const port = Number(new URL(srv.url).port);
    await expect(startServer({ roots: openRoots([out]), port, host: '127.0.0.1' })).rejects.toThrow(
      new UserError(
        `port ${port} on 127.0.0.1 is already in use: choose another with --port (or --port 0 for any free port)`,
      ),
    );
    expect(() => openRoots([join(base, 'missing')])).toThrow(/no folder at .*missing/);
    expect(() => openRoots([secret])).toThrow(/is not a folder/);
  });

  it('the CLI prints one clear line for a port in use (exit 2)', () => {
    const port = new URL(srv.url).port;
    const r = spawnSync(process.execPath, ['bin/disentangle.js', 'serve', out, '--port', port], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').pop()).toBe(
      `error: port ${port} on 127.0.0.1 is already in use: choose another with --port (or --port 0 for any free port)`,
    );
  });
});

describe('disentangle serve --host', () => {
  it('warns that a non-local address exposes the runs, and prints a URL that answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serve-host-'));
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['bin/disentangle.js', 'serve', dir, '--host', '0.0.0.0', '--port', '0']);
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    try {
      const url = await new Promise<string>((ok, fail) => {
        child.stdout.on('data', (d) => {
          out += d;
          const m = /open (http:\/\/\S+)/.exec(out);
          if (m) ok(m[1]);
        });
        child.once('exit', (code) => fail(new Error(`serve exited with ${code}: ${err}`)));
      });
      expect(err).toMatch(/warning: listening on 0\.0\.0\.0: anyone who can reach this machine/);
      expect(err).toMatch(/no run or sweep folders under/);
      const r = await raw(url, '/api/index');
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body).runs).toEqual([]);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('log and CSV readers', () => {
  it('reads a missing log as empty', () => {
    expect(readTail('/nonexistent/train.jsonl', 0)).toMatchObject({ records: [], next: 0 });
  });
  it('parses quoted CSV fields and numbers', () => {
    const r = parseCsv('run,beta,note\n"a,b",0.5,"say ""hi"""\nc,1e-3,\n');
    expect(r.columns).toEqual(['run', 'beta', 'note']);
    expect(r.rows).toEqual([
      { run: 'a,b', beta: 0.5, note: 'say "hi"' },
      { run: 'c', beta: 0.001, note: null },
    ]);
    expect(r.errors).toEqual([]);
  });
});
