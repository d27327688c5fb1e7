/**
 * Every shipped experiment at its `smoke` scale, through the real CLI (local executor, wasm): it runs, writes
 * its report with every claim checked (whatever the verdict at this scale), is idempotent when run again, and
 * bad input is refused in one line.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../cli/helpers.js';
import { snapshot } from '../sweep/helpers.js';

const root = mkdtempSync(join(tmpdir(), 'experiments-'));
// the CLI runs asynchronously: a test worker blocked for minutes on a child process loses its line to vitest
const run = (args: string[]) => cli(args, { timeoutMs: 300_000 });
const list = JSON.parse((await run(['experiment', 'list', '--json'])).stdout) as Array<{
  name: string;
  scales: Record<string, { runs: number; estimate_s: number; budgetHours?: number }>;
}>;

describe('shipped experiments', () => {
  it('lists the studies, each at three scales, the cpu scale within its budget', () => {
    expect(list.map((e) => e.name).sort()).toEqual([
      'loss-design',
      'mathieu2019',
      'michlo2023-boxblur',
      'michlo2023-distances',
      'michlo2023-spacing',
      'prediction',
      'zietlow2021',
    ]);
    for (const e of list) {
      expect(Object.keys(e.scales)).toEqual(['smoke', 'cpu', 'paper']);
      const cpu = e.scales.cpu;
      expect(cpu.budgetHours).toBeDefined();
      expect(cpu.estimate_s).toBeLessThanOrEqual(cpu.budgetHours! * 3600);
      expect(e.scales.paper.runs).toBeGreaterThanOrEqual(e.scales.cpu.runs);
    }
  });

  it.each([
    'michlo2023-spacing',
    'michlo2023-boxblur',
    'michlo2023-distances',
    'zietlow2021',
    'mathieu2019',
    'prediction',
    'loss-design',
  ])(
    '%s runs at the smoke scale, checks its claims and writes its report; running it again changes nothing',
    async (name) => {
      const out = join(root, name);
      const r = await run(['experiment', 'run', name, '--scale', 'smoke', '--out', out, '--quiet']);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
      expect(r.code).toBe(0);
      expect(existsSync(join(out, 'report.html'))).toBe(true);
      const claims = JSON.parse(readFileSync(join(out, 'claims.json'), 'utf8'));
      for (const c of claims.claims) expect(['holds', 'does not hold', 'no data']).toContain(c.verdict);
      if (!['michlo2023-distances', 'prediction'].includes(name)) expect(claims.runs.done).toBe(claims.runs.total);
      if (name === 'loss-design') {
        // each design decided its sweep's third loss: a real spec, not the stand-in
        const design = JSON.parse(readFileSync(join(out, 'design-xy8.json'), 'utf8'));
        expect(design.best.spec).toMatch(/^mse\+box\d+@/);
        const csv = readFileSync(join(out, 'xy8', 'results.csv'), 'utf8');
        expect(csv).not.toContain('box1@0');
        expect(claims.claims.find((c: { id: string }) => c.id === 'designed-beats-blur-mig').statistic).toContain(
          `loss = ${design.best.spec} minus`,
        );
      }
      expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/Scale \*\*smoke\*\*/);
      const before = snapshot(out);
      const again = await run(['experiment', 'run', name, '--scale', 'smoke', '--out', out, '--quiet']);
      expect(again.code).toBe(0);
      const after = snapshot(out);
      // only the reports are rewritten; every run, checkpoint and score stays as it was
      const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
      expect(changed.every((k) => /(^|\/)(report\.html|results\.csv|claims\.json|summary\.md)$/.test(k))).toBe(true);
    },
    // loss-design trains three small sweeps (nine runs) and designs three losses: more than the default on a busy machine
    300_000,
  );

  it('refuses an unknown experiment or scale, and a folder that holds another experiment or scale', async () => {
    const unknown = await run(['experiment', 'run', 'nope', '--out', join(root, 'x')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown experiment 'nope': choose .*zietlow2021/);
    const scale = await run(['experiment', 'run', 'zietlow2021', '--scale', 'huge', '--out', join(root, 'x')]);
    expect(scale.code).toBe(2);
    const out = join(root, 'michlo2023-distances');
    const before = snapshot(out);
    const other = await run(['experiment', 'run', 'michlo2023-spacing', '--scale', 'smoke', '--out', out]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/holds experiment 'michlo2023-distances' at scale 'smoke'/);
    const cpu = await run(['experiment', 'run', 'michlo2023-distances', '--scale', 'cpu', '--out', out]);
    expect(cpu.code).toBe(2);
    expect(snapshot(out)).toEqual(before);
  });
});
