import type { Command } from 'commander';
import { parsePositiveInteger, startEngine, withEngineOptions } from '../options.js';

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
    const out = { bench: 'step', backend: info.backend, device: info.device, threads: info.threads, ...r };
    if (opts.json) console.log(JSON.stringify(out));
    else
      console.log(
        `${info.backend}: ${r.ms_per_step} ms/step (min ${r.min_ms}, max ${r.max_ms}) at batch ${r.batch}, z ${r.z}`,
      );
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
    .command('metrics')
    .description('the array-metric suite on 10,000 train / 5,000 test codes of dSprites-sized factors')
    .option('--json', 'last line is one JSON object')
    .action(async (opts) => {
      const { benchMetrics } = await import('../../bench/index.js');
      const r = await benchMetrics();
      if (opts.json) console.log(JSON.stringify(r));
      else console.log(`total ${r.total_s} s: ${JSON.stringify(r.seconds_per_metric)}`);
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
}
