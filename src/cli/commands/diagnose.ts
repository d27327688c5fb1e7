import type { Command } from 'commander';
import { join } from 'node:path';
import { lockFolder } from '../../util/lock.js';
import { parseInteger, startEngine, withEngineOptions } from '../options.js';

export function registerDiagnose(program: Command): void {
  withEngineOptions(
    program
      .command('diagnose')
      .description(
        'diagnostics of a trained run: active latents, decoder-Jacobian orthogonality, traversal linearity and axis alignment',
      )
      .argument('<run-dir>', 'a run folder made by `disentangle train`')
      .option('--seed <n>', 'random seed', parseInteger, 0)
      .option('--json', 'last line is one JSON object'),
  ).action(async (dir: string, opts) => {
    const { checkRunFolder } = await import('../../train/folder-checks.js');
    checkRunFolder(dir);
    lockFolder(dir, 'diagnose'); // refused before anything is loaded; diagnoseRun takes this same lock
    await startEngine(opts);
    const { diagnoseRun } = await import('../../evaluate/index.js');
    const r = await diagnoseRun(dir, { seed: opts.seed });
    if (opts.json) console.log(JSON.stringify(r));
    else {
      console.log(
        `active latents: ${r.activeLatents ?? 'n/a'}; Jacobian distance to orthogonality ${r.jacobianDistanceToOrthogonality?.toFixed(3) ?? 'n/a (no decoder)'}`,
      );
      console.log(
        `linearity ${r.factored.linearity.toFixed(3)}, axis alignment ${r.factored.axisAlignment.toFixed(3)}, rank corr. ${r.factored.rankCorrelation.toFixed(3)}`,
      );
      console.log(`wrote ${join(dir, 'diagnose.json')} and ${join(dir, 'diagnose.html')}`);
    }
  });
}
