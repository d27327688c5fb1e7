/**
 * Ctrl-C and SIGTERM outside training. A computing command keeps Node's default: the signal ends it at once,
 * with no stack trace, and nothing half-written, because every output is written atomically and only at the
 * end. What remains is the moment of writing a group of outputs (analyze's report, analysis and picture; a
 * perturbation and its page): `writeOutputs` holds a signal that arrives meanwhile until the whole group is
 * written, then ends the process as the signal would have — so a group is never left with some files new,
 * some old and a temporary file beside them. (Training stops itself at a step instead: see train/trainer.ts.)
 */

const exitCode = (sig: NodeJS.Signals) => (sig === 'SIGINT' ? 130 : 143);

/**
 * Run `write` (synchronous) with SIGINT/SIGTERM held; afterwards, a held signal ends the process (exit code
 * 130/143, with a note that the outputs were written in full).
 */
export async function writeOutputs<T>(write: () => T): Promise<T> {
  let got: NodeJS.Signals | null = null;
  const hold = (sig: NodeJS.Signals) => {
    got ??= sig;
  };
  process.on('SIGINT', hold);
  process.on('SIGTERM', hold);
  try {
    const out = write();
    // a signal that came while `write` ran is delivered on the next turns of the event loop
    for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
    return out;
  } finally {
    process.off('SIGINT', hold);
    process.off('SIGTERM', hold);
    if (got) {
      process.stderr.write(`\n${got}: stopped (the outputs being written were completed first)\n`);
      process.exit(exitCode(got));
    }
  }
}
