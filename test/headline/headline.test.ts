/**
 * The main job (`npm start` = `disentangle report`) end to end at a tiny scale through the CLI: the analysis, two
 * Ada-GVAE runs that report their spacing and MIG, the committed study results read from results/, and the
 * report's pictures.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, repoRoot } from '../cli/helpers.js';
import { committedResults, renderCommittedResults } from '../../src/headline/committed.js';

describe('the main job', () => {
  it('writes report.html and report.json with both runs, their MIG, and the committed study results', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'headline-')), 'report');
    const args = ['report', '--out', out, '--steps', '6', '--batch-size', '4', '--traversals', '2'];
    const r = await cli([...args, '--pairs', '200', '--codes', '100'], { timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(json.training.map((t: { spacing: number }) => t.spacing)).toEqual([8, 1]);
    for (const t of json.training) {
      expect(t.metrics.mig).toBeGreaterThanOrEqual(0);
      expect(t.metrics.mig).toBeLessThanOrEqual(1);
      expect(t.steps).toBe(6);
      expect(existsSync(join(out, `adagvae-spacing${t.spacing}`, 'config.json'))).toBe(true);
    }
    // every committed study (results/<experiment>/claims.json) is in the report, with each claim's verdict
    const committed = readdirSync(join(repoRoot, 'results'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(repoRoot, 'results', d.name, 'claims.json')))
      .map((d) => d.name)
      .sort();
    expect(json.committedResults.map((c: { experiment: string }) => c.experiment).sort()).toEqual(committed);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('committed results, not run now');
    for (const name of committed) expect(html).toContain(`experiment run ${name} --scale`);
    expect(html.match(/<img /g)?.length).toBeGreaterThanOrEqual(4); // reconstructions and traversals of each run
    // running it again replaces its own earlier report (and nothing else)
    const again = await cli([...args, '--pairs', '200', '--codes', '100'], { timeoutMs: 300_000 });
    expect(again.code, again.stderr).toBe(0);
  });

  it('shows an analysis-only study as its distance table, and a training study as runs and claims', () => {
    const results = committedResults(join(repoRoot, 'results'));
    const html = renderCommittedResults(results, join(repoRoot, 'out', 'report'));
    const section = (name: string) =>
      html.slice(html.indexOf(`<h3>${name} `), html.indexOf('<h3>', html.indexOf(`<h3>${name} `) + 1));
    const distances = section('michlo2023-distances');
    expect(distances).toContain('Analysis only, no training.');
    expect(distances).not.toMatch(/runs done/);
    // the adversarial setting with its published numbers beside ours
    expect(distances).toMatch(
      /XYSquares spacing 8, MSE<\/td><td>x_R<\/td><td>0\.0104 \(0\.0104\)<\/td><td>0\.5\d\d \(0\.58\)<\/td><td>adversarial/,
    );
    const boxblur = section('michlo2023-boxblur');
    expect(boxblur).toMatch(/\d+ of \d+ runs done, [\d.]+ CPU hours on torch/);
    expect(boxblur).toContain('box-blur loss raises MIG');
    expect(boxblur).toMatch(/adagvae: median [\d.]+ \(mse\+box31@3969, n=\d/); // each group named
  });
});
