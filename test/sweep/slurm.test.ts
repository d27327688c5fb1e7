/**
 * The Slurm executor on a real one-node Slurm cluster (scripts/slurm-cluster.sh). The test uses a cluster
 * that is already up (CI's .ci/run starts one) or starts one itself and stops it afterwards. A small sweep
 * goes through it, with a run that fails and one that is cancelled part-way and submitted again; its
 * results must equal the local executor's for the same spec and seeds. Skips with a message where Slurm is
 * not installed; DISENTANGLE_REQUIRE_SLURM=1 (set by .ci/run) turns that skip into a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCommand } from '../../src/sweep/executors/slurm.js';
import { sweepStatus } from '../../src/sweep/index.js';
import { readCsv, startCli, waitFor, writeTinyConfig } from './helpers.js';

const script = join(process.cwd(), 'scripts', 'slurm-cluster.sh');
const missing = ['sbatch', 'scontrol', 'scancel', 'slurmctld', 'slurmd', 'munged'].filter((c) => !findCommand(c));
const required = process.env.DISENTANGLE_REQUIRE_SLURM === '1';

it('Slurm is installed where it is required', () => {
  if (missing.length && !required)
    console.log(
      `skipping the Slurm tests: ${missing.join(', ')} not installed ` +
        '(apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge)',
    );
  if (required) expect(missing).toEqual([]);
});

describe.skipIf(missing.length > 0)('Slurm executor on a one-node cluster', () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-slurm-'));
  let startedHere = false;

  beforeAll(() => {
    const up = (() => {
      try {
        execFileSync(script, ['status'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
    if (!up) {
      execFileSync(script, ['start'], { stdio: 'inherit' });
      startedHere = true;
    }
    process.env.SLURM_CONF = execFileSync(script, ['env'], { encoding: 'utf8' })
      .trim()
      .replace(/^export SLURM_CONF=/, '');
  }, 120_000);

  afterAll(() => {
    // leave no job of these tests behind in a cluster that outlives them
    for (const d of [S, K]) {
      const p = join(d, 'slurm', 'jobs.jsonl');
      if (!existsSync(p)) continue;
      const ids = readFileSync(p, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).job as string);
      execFileSync('scancel', ids, { stdio: 'ignore' });
    }
    if (startedHere) execFileSync(script, ['stop'], { stdio: 'inherit' });
  });

  const cfg = writeTinyConfig(join(root, 'tiny.json'));
  const spec = [
    '--config',
    cfg,
    '--grid',
    'train.steps=20,150',
    '--grid',
    'optimizer.lr=0.001,1e30',
    '--metrics',
    'mig',
    '--eval-every',
    '50',
    '--num-train',
    '200',
    '--num-test',
    '100',
    '--backend',
    'wasm',
    '--quiet',
  ];
  const L = join(root, 'local');
  const S = join(root, 'slurm');
  const K = join(root, 'killed');
  const names = [
    'steps=20_lr=0.001_seed=0',
    'steps=20_lr=1e+30_seed=0',
    'steps=150_lr=0.001_seed=0',
    'steps=150_lr=1e+30_seed=0',
  ];
  const idle = (dir: string) =>
    waitFor(
      'the sweep to have no queued or running run',
      async () => !(await sweepStatus(dir)).runs.some((r) => r.busy),
      300_000,
    );

  it('runs a sweep as job arrays (a run failing, one cancelled and submitted again) with the local executor’s results', async () => {
    const local = startCli(['sweep', ...spec, '--out', L, '--workers', '2']).done;

    const sub = await startCli(['sweep', ...spec, '--out', S, '--executor', 'slurm']).done;
    expect(sub.code).toBe(0);
    const job = /submitted 4 run\(s\) as Slurm job array (\d+)/.exec(sub.stdout)?.[1];
    expect(job).toBeDefined();
    const sbatch = readFileSync(join(S, 'slurm', 'array.sbatch'), 'utf8');
    expect(sbatch).toMatch(/^#SBATCH --array=0-3$/m);
    expect(sbatch).toMatch(/^#SBATCH --cpus-per-task=1$/m);
    expect(sbatch).toMatch(/sweep' 'run-one' '.*slurm' '--list' '.*tasks-0.txt' '--backend' 'wasm'/);
    const tasks = readFileSync(join(S, 'slurm', 'tasks-0.txt'), 'utf8')
      .trim()
      .split('\n');
    expect(tasks).toEqual(names);

    // cancel the long good run once it has a checkpoint
    await waitFor('a checkpoint of the long run', () => existsSync(join(S, 'runs', names[2], 'checkpoint.json')));
    execFileSync('scancel', [`${job}_2`]);
    await idle(S);
    let st = await sweepStatus(S);
    expect(st.runs.map((r) => r.state)).toEqual(['done', 'failed', 'pending', 'failed']);
    expect(st.runs[1].error).toMatch(/^loss became NaN at step 1 /);
    expect(st.runs[2].detail).toMatch(
      new RegExp(`^cancelled \\(Slurm task ${job}_2\\) at step \\d+; the next \`sweep\` submits it again`),
    );
    expect(st.runs[2].step).toBeLessThan(150);

    // the same command again submits only what is unfinished
    const again = await startCli(['sweep', ...spec, '--out', S, '--executor', 'slurm']).done;
    expect(again.stdout).toMatch(/submitted 1 run\(s\) as Slurm job array \d+/);
    const jobs = readFileSync(join(S, 'slurm', 'jobs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(jobs.map((j) => j.runs)).toEqual([names, [names[2]]]);
    await idle(S);
    st = await sweepStatus(S);
    expect(st.counts).toMatchObject({ done: 2, failed: 2, pending: 0, lost: 0 });
    const rec = JSON.parse(readFileSync(join(S, 'runs', names[2], 'status.json'), 'utf8'));
    expect(rec.attempts.map((a: { job: string }) => a.job)).toEqual([`${job}_2`, `${jobs[1].job}_0`]);

    const rep = await startCli(['sweep', 'report', S]).done;
    expect(rep.code).toBe(0);
    const l = await local;
    expect(l.code).toBe(1);
    const strip = (rows: Array<Record<string, string>>) => rows.map(({ cpu_s: _c, wall_s: _w, ...rest }) => rest);
    const [rl, rs] = [readCsv(join(L, 'results.csv')), readCsv(join(S, 'results.csv'))];
    expect(rs.map((r) => r.status)).toEqual(['done', 'failed', 'done', 'failed']);
    expect(strip(rs)).toEqual(strip(rl));
    for (const f of ['metrics.jsonl', 'train.jsonl', 'ckpt-150.bin', 'eval.json'])
      expect(readFileSync(join(S, 'runs', names[2], f)).equals(readFileSync(join(L, 'runs', names[2], f)))).toBe(true);
  }, 600_000);

  it('queued runs keep the local executor away; --cancel cancels them and the folder stays as it was', async () => {
    const held = await startCli([
      'sweep',
      ...spec,
      '--out',
      S,
      '--executor',
      'slurm',
      '--retry-failed',
      '--sbatch-arg=--hold',
    ]).done;
    expect(held.stdout).toMatch(/submitted 2 run\(s\) as Slurm job array \d+/);
    let st = await sweepStatus(S);
    expect(st.runs.map((r) => r.state)).toEqual(['done', 'pending', 'done', 'pending']);
    expect(st.runs[1].detail).toMatch(/^queued as Slurm task \d+_0 \(JobHeldUser\)/);
    const local = await startCli(['sweep', ...spec, '--out', S]).done;
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/^error: 2 run\(s\) of .* are queued or running on Slurm .*--cancel/);
    const c = await startCli(['sweep', '--out', S, '--cancel']).done;
    expect(c.stdout).toMatch(/cancelled Slurm job array \d+ \(2 run\(s\) queued or running\)/);
    await idle(S);
    st = await sweepStatus(S);
    expect(st.counts).toMatchObject({ done: 2, failed: 2 });
  }, 300_000);

  it('a task killed without a word is lost; --retry-failed resumes it from its checkpoint', async () => {
    const long = writeTinyConfig(join(root, 'long.json'), { steps: 150 });
    const cmd = ['sweep', '--config', long, '--out', K, '--executor', 'slurm', '--backend', 'wasm', '--quiet'];
    const sub = await startCli(cmd).done;
    const job = /Slurm job array (\d+)/.exec(sub.stdout)?.[1];
    await waitFor('a checkpoint', () => existsSync(join(K, 'runs', 'seed=0', 'checkpoint.json')));
    execFileSync('scancel', ['--batch', '--signal=KILL', `${job}_0`]);
    await idle(K);
    let st = await sweepStatus(K);
    expect(st.runs[0].state).toBe('lost');
    expect(st.runs[0].detail).toMatch(
      new RegExp(`^Slurm task ${job}_0 ended FAILED \\(exit 0:9, .*without the run recording its end`),
    );
    expect((await startCli(cmd).done).stderr).toMatch(/1 lost; 0 to submit/);
    const retry = await startCli([...cmd, '--retry-failed']).done;
    expect(retry.stdout).toMatch(/submitted 1 run\(s\)/);
    await idle(K);
    st = await sweepStatus(K);
    expect(st.runs[0].state).toBe('done');
    const rec = JSON.parse(readFileSync(join(K, 'runs', 'seed=0', 'status.json'), 'utf8'));
    expect(rec.attempts).toHaveLength(2);
  }, 300_000);
});
