/**
 * Options shared by commands, and their parsers. This module and the command modules' top levels import no
 * tensor library: a command that fails at parsing exits at once, and the engine is loaded only to compute.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { backendNames, precisions, type EngineOptions } from '../engine/registry.js';
import type { EngineInfo } from '../engine/backends.js';

/** Add `--backend`, `--threads`, `--device`, `--precision` to a command that computes. */
export function withEngineOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--backend <name>', `tensor backend: ${backendNames().join(', ')} (env DISENTANGLE_BACKEND)`))
    .option('--threads <n>', 'threads for native backends', parsePositiveInteger, 1)
    .addOption(new Option('--device <device>', 'device for the torch backend').choices(['cpu', 'cuda']).default('cpu'))
    .addOption(
      new Option(
        '--precision <p>',
        'bf16: convolutions and matrix products in bfloat16 (torch backend; fast only with hardware bf16)',
      ).choices([...precisions]),
    );
}

/** Start the engine from a command's parsed options. */
export async function startEngine(opts: EngineOptions): Promise<EngineInfo> {
  const { initEngine } = await import('../engine/backends.js');
  return initEngine({ backend: opts.backend, threads: opts.threads, device: opts.device, precision: opts.precision });
}

export function parseInteger(value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`'${value}' is not an integer.`);
  return n;
}

export function parsePositiveInteger(value: string): number {
  const n = parseInteger(value);
  if (n < 1) throw new InvalidArgumentError(`'${value}' must be >= 1.`);
  return n;
}

export function parseNumber(value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`'${value}' is not a number.`);
  return n;
}

/** For repeatable options: `--set a=1 --set b=2`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
