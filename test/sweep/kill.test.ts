/**
 * `kill -9` of a local sweep's process group, and the same command run again at once, over and over: the
 * killed pool's workers stop (they watch their pool), the new command waits for any still alive on this host
 * and takes their runs over once they are gone, never exits 0 with a run unfinished, and in the end every run
 * is trained exactly once through (one 'done' attempt, each step logged once).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, waitFor, type CliResult } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'sweep-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const STEPS = 120;
const cfg = join(root, 'tiny.json');
writeFileSync(
  cfg,
  JSON.stringify({
    dataset: { name: 'xysinglesquare', imageSize: 16, squareSize: 4 },
    framework: { name: 'betavae', beta: 2 },
    model: { architecture: 'fc', z: 3, hidden: 16 },
    optimizer: { lr: 0.001 },
    train: { steps: STEPS, batchSize: 8, checkpointEvery: 20, logEvery: 10 },
  }),
);
const dir = join(root, 'S');
const NAMES = ['seed=0', 'seed=1', 'seed=2'];
const args = ['sweep', '--config', cfg, '--seeds', '3', '--out', dir, '--workers', '3', '--backend', 'wasm', '--quiet'];

interface Attempt {
  pid: number;
  state: string;
  started: string;
}
const record = (name: string): { state: string; attempts: Attempt[] } | null => {
  try {
    return JSON.parse(readFileSync(join(dir, 'runs', name, 'status.json'), 'utf8'));
  } catch {
    return null; // not started, or being written
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The sweep command in a process group of its own (as a shell runs it), to be killed as a group. */
function startSweep(): { child: ChildProcess; done: Promise<CliResult>; stderr: () => string } {
  const child = spawn(process.execPath, [cli, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '',
    stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}

/** A worker started after `since` that is alive now: [run, pid]. */
function liveWorker(since: number): [string, number] | null {
  for (const name of NAMES) {
    const last = record(name)?.attempts.at(-1);
    if (last && last.state === 'running' && Date.parse(last.started) >= since - 1000 && alive(last.pid))
      return [name, last.pid];
  }
  return null;
}

describe('kill -9 of a local sweep, run again at once', () => {
  it('waits for a worker still alive, then takes its run over; every run finishes exactly once', async () => {
    const codes: Array<number | null> = [];
    // round 0: one worker is frozen while its pool is killed, so it outlives it: the next command must wait for it
    let t0 = Date.now();
    let s = startSweep();
    const [frozenRun, frozen] = await waitFor('a worker', () => liveWorker(t0), 60_000);
    process.kill(frozen, 'SIGSTOP');
    process.kill(-s.child.pid!, 'SIGKILL');
    codes.push((await s.done).code);
    t0 = Date.now();
    s = startSweep();
    await waitFor('the new command to wait for the frozen worker', () => /waiting for /.test(s.stderr()), 60_000);
    expect(s.stderr()).toContain(`waiting for ${frozenRun}: process ${frozen} `);
    expect(alive(frozen)).toBe(true);
    process.kill(frozen, 'SIGCONT'); // it sees its pool gone, writes its checkpoint and stops
    await waitFor('the frozen worker to end', () => !alive(frozen), 30_000);

    // rounds 1…4 (five kills in all): kill the group once a worker of this command runs, at once run it again
    for (let round = 1; round <= 4; round++) {
      const worker = await waitFor(
        'a worker of this command, or its end',
        () => liveWorker(t0) ?? (s.child.exitCode !== null ? (['', 0] as [string, number]) : null),
        60_000,
      );
      if (worker[1]) await new Promise((r) => setTimeout(r, 150 * round));
      if (s.child.exitCode === null) process.kill(-s.child.pid!, 'SIGKILL');
      const r = await s.done;
      codes.push(r.code);
      // a command that ended by itself ended 0 only with every run done
      if (r.code === 0) expect(NAMES.every((n) => record(n)?.state === 'done')).toBe(true);
      t0 = Date.now();
      s = startSweep();
    }
    const last = await s.done;
    expect(last.code, last.stderr).toBe(0);
    expect(codes.filter((c) => c === null).length).toBeGreaterThanOrEqual(4); // killed, not ended by themselves
    expect(codes).toHaveLength(5);

    for (const name of NAMES) {
      const rec = record(name)!;
      expect(rec.state).toBe('done');
      expect(rec.attempts.filter((a) => a.state === 'done')).toHaveLength(1);
      expect(rec.attempts.filter((a) => a.state === 'running' && alive(a.pid))).toEqual([]);
      const steps = readFileSync(join(dir, 'runs', name, 'train.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).step);
      expect(steps).toEqual([...Array(STEPS / 10).keys()].map((i) => (i + 1) * 10));
    }
    expect(existsSync(join(dir, 'sweep.lock'))).toBe(false);
  }, 240_000);
});
