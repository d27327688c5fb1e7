import type { Command } from 'commander';
import { parsePositiveInteger, startEngine, withEngineOptions } from '../options.js';
import { benchSweep } from '../../bench/sweep.js';

/** `disentangle bench <what>`: benchmarks that print JSON (speed goals live here, not in tests). */
export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks (speed and memory), printing JSON');

  withEngineOptions(
    bench
      .command('step')
      .description('time one Adam step of the standard conv β-VAE (median after warm-up)')
      .option('--batch <n>', 'batch size', parsePositiveInteger, 64)
      .option('--z <n>', 'latent size', parsePositiveInteger, 10)
      .option('--channels <n>', 'image channels (64×64 images)', parsePositiveInteger, 1)
      .option('--steps <n>', 'timed steps', parsePositiveInteger, 20)
      .option('--warmup <n>', 'untimed warm-up steps', parsePositiveInteger, 3)
      .option('--json', 'last line is one JSON object'),
  ).action(async (opts) => {
    const info = await startEngine(opts);
    const { benchStep } = await import('../../bench/index.js');
    const r = await benchStep(opts);
    const out = {
      bench: 'step',
      backend: info.backend,
      device: info.device,
      threads: info.threads,
      precision: info.precision,
      ...r,
    };
    if (opts.json) console.log(JSON.stringify(out));
    else
      console.log(
        `${info.backend} (${info.precision}): ${r.ms_per_step} ms/step (min ${r.min_ms}, max ${r.max_ms}) ` +
          `at batch ${r.batch}, z ${r.z}`,
      );
  });

  bench
    .command('web')
    .description(
      'the web page in Chromium: first view drawn after load, and the wasm training step in the page vs in Node',
    )
    .option('--batch <n>', 'batch size of the step', parsePositiveInteger, 64)
    .option('--z <n>', 'latent size', parsePositiveInteger, 10)
    .option('--channels <n>', 'image channels (64×64 images)', parsePositiveInteger, 1)
    .option('--steps <n>', 'timed steps', parsePositiveInteger, 10)
    .option('--warmup <n>', 'untimed warm-up steps', parsePositiveInteger, 3)
    .option('--loads <n>', 'cold page loads per view (the median is reported)', parsePositiveInteger, 3)
    .option('--json', 'last line is one JSON object')
    .action(async (opts) => {
      const { benchWeb } = await import('../../bench/web.js');
      const r = await benchWeb(opts);
      if (opts.json) console.log(JSON.stringify({ bench: 'web', ...r }));
      else {
        for (const [view, ms] of Object.entries(r.first_view_ms))
          console.log(`first view (${view}): ${ms} ms after load (goal < ${r.first_view_goal_ms} ms)`);
        console.log(
          `wasm step, batch ${r.step.batch}: page ${r.step.browser_ms} ms, Node ${r.step.node_ms} ms: ${r.step.ratio}× (goal ≤ ${r.step.goal_ratio}×)`,
        );
      }
    });

  bench
    .command('data')
    .description('observations per second into training batches of 64, per dataset')
    .option('--json', 'last line is one JSON array')
    .action(async (opts) => {
      const { benchData } = await import('../../bench/index.js');
      const r = await benchData();
      if (opts.json) console.log(JSON.stringify(r));
      else
        for (const d of r)
          console.log(`${d.dataset.padEnd(16)} ${d.ms_per_batch64} ms / batch of 64 (${d.observations_per_s} obs/s)`);
    });

  bench
    .command('mig')
    .description(
      "one fixed VAE-like code's MIG under each convention papers use (means/samples, bins, kNN, pruning, points)",
    )
    .option('--json', 'last line is one JSON object')
    .action(async (opts) => {
      const { benchMigConventions } = await import('../../bench/index.js');
      const r = await benchMigConventions();
      if (opts.json) console.log(JSON.stringify(r));
      else {
        console.log('| convention | codes | MI estimator | points | inactive latents | MIG |');
        console.log('| --- | --- | --- | --- | --- | --- |');
        for (const x of r.rows)
          console.log(`| ${x.convention} | ${x.codes} | ${x.estimator} | ${x.points} | ${x.inactive} | ${x.mig} |`);
      }
    });

  bench
    .command('metrics')
    .description('the array-metric suite on 10,000 train / 5,000 test codes of dSprites-sized factors')
    .option('--json', 'last line is one JSON object')
    .action(async (opts) => {
      const { benchMetrics } = await import('../../bench/index.js');
      const r = await benchMetrics();
      if (opts.json) console.log(JSON.stringify(r));
      else console.log(`total ${r.total_s} s: ${JSON.stringify(r.seconds_per_metric)}`);
    });

  bench
    .command('sweep')
    .description('sweeps: 4 runs on 2 workers vs 1, overhead per run; with --slurm, submission and status times')
    .option('--steps <n>', 'training steps of each benchmark run', parsePositiveInteger, 100)
    .option('--backend <name>', 'tensor backend of the runs')
    .option('--slurm', 'also measure on the Slurm cluster that sbatch reaches (e.g. scripts/slurm-cluster.sh start)')
    .option('--keep', 'keep the benchmark sweep folders (their path is printed)')
    .option('--json', 'last line is one JSON object')
    .action(async (opts) => {
      const r = await benchSweep({ steps: opts.steps, backend: opts.backend, slurm: !!opts.slurm, keep: opts.keep });
      console.log(opts.json ? JSON.stringify(r) : JSON.stringify(r, null, 2));
    });

  withEngineOptions(
    bench
      .command('analyze')
      .description('perceived-distance pairs per second (XYSquares, MSE and box-blur loss)')
      .option('--json', 'last line is one JSON array'),
  ).action(async (opts) => {
    await startEngine(opts);
    const { benchAnalyze } = await import('../../bench/index.js');
    const r = await benchAnalyze();
    if (opts.json) console.log(JSON.stringify(r));
    else for (const d of r) console.log(`${d.loss.padEnd(16)} ${d.seconds} s, ${d.pairs_per_s} pairs/s`);
  });

  withEngineOptions(
    bench
      .command('design-loss')
      .description("loss-design candidates per second (XYSquares spacing 8, analyze's sampling, the grid phase)")
      .option('--budget <n>', 'candidates to evaluate', parsePositiveInteger, 200)
      .option('--json', 'last line is one JSON object'),
  ).action(async (opts) => {
    await startEngine(opts);
    const { benchDesignLoss } = await import('../../bench/index.js');
    const r = await benchDesignLoss(opts.budget);
    if (opts.json) console.log(JSON.stringify(r));
    else
      console.log(
        `${r.candidates} candidates in ${r.seconds} s (${r.candidates_per_s}/s; ${r.cpu_seconds} s of CPU, ` +
          `${r.candidates_per_cpu_s}/CPU s); best ${r.best.spec} ${r.best.score.toFixed(3)}`,
      );
  });
}
