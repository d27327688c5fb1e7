import { Command, CommanderError } from 'commander';
import { UserError } from '../util/errors.js';
import { asWriteFailure, WriteFailed } from '../util/fs.js';
import { commandRegistrars } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('disentangle')
    .description('Disentangled representations with VAEs: datasets, training, metrics and analyses')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    // before the commands are added, so that every subcommand inherits it: a usage error anywhere exits 2
    .exitOverride();
  for (const register of commandRegistrars) register(program);
  // Unknown commands: list the valid ones.
  program.on('command:*', (operands: string[]) => {
    const names = program.commands.map((c) => c.name());
    process.stderr.write(`error: unknown command '${operands[0]}'. Commands: ${names.join(', ')}\n`);
    process.exit(2);
  });
  return program;
}

/** Errors of the file system on a path the user gave: one line, not a stack trace. */
const pathErrors: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/** Errors of writing: always for a full disk, a quota or a read-only mount; permissions only on a write call. */
function isRefusedWrite(err: NodeJS.ErrnoException | null | undefined): boolean {
  if (!err || typeof err.code !== 'string') return false;
  if (['ENOSPC', 'EDQUOT', 'EROFS'].includes(err.code)) return true;
  return (
    ['EACCES', 'EPERM'].includes(err.code) &&
    ['write', 'mkdir', 'rename', 'copyfile', 'unlink'].includes(err.syscall ?? '')
  );
}

export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      process.exit(e.exitCode === 0 ? 0 : 2);
    }
    if (e instanceof UserError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(2);
    }
    const err = e as NodeJS.ErrnoException;
    // a write refused by the file system outside the write helpers (a full disk is not a bug): the same one line
    if (isRefusedWrite(err)) {
      const w = asWriteFailure(err, err.path ?? 'a file');
      if (w instanceof WriteFailed) {
        process.stderr.write(`error: ${w.message}\n`);
        process.exit(2);
      }
    }
    if (err && typeof err.code === 'string' && pathErrors[err.code] && err.path) {
      process.stderr.write(`error: cannot ${err.syscall ?? 'use'} ${err.path}: ${pathErrors[err.code]}\n`);
      process.exit(2);
    }
    // A bug, not bad input: say so on the first line, then the stack for the report.
    process.stderr.write(
      `error: internal error (please report it with the command line): ${err?.message ?? String(e)}\n${err?.stack ?? ''}\n`,
    );
    process.exit(1);
  }
}
