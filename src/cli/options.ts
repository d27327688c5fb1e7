import { Command, InvalidArgumentError, Option } from 'commander';
import { initEngine, backendNames, type EngineInfo } from '../engine/index.js';

/** Add `--backend`, `--threads`, `--device` to a command that computes. */
export function withEngineOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--backend <name>', `tensor backend: ${backendNames().join(', ')} (env DISENTANGLE_BACKEND)`))
    .option('--threads <n>', 'threads for native backends', parseInteger, 1)
    .addOption(new Option('--device <device>', 'device for the torch backend').choices(['cpu', 'cuda']).default('cpu'));
}

/** Start the engine from a command's parsed options. */
export async function startEngine(opts: { backend?: string; threads?: number; device?: string }): Promise<EngineInfo> {
  return initEngine({ backend: opts.backend, threads: opts.threads, device: opts.device });
}

export function parseInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`'${value}' is not an integer.`);
  return n;
}

export function parsePositiveInteger(value: string): number {
  const n = parseInteger(value);
  if (n < 1) throw new InvalidArgumentError(`'${value}' must be >= 1.`);
  return n;
}

export function parseNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`'${value}' is not a number.`);
  return n;
}

/** For repeatable options: `--set a=1 --set b=2`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
