/**
 * Ctrl-C or SIGTERM during long work: the first signal asks the job to save and stop (the command
 * then exits 130 or 143, the shell's codes for those signals); a second one exits at once.
 */
export function interruptFlag(): { requested: () => boolean; exitCode: () => number; dispose: () => void } {
  let signal: NodeJS.Signals | null = null;
  const code = (s: NodeJS.Signals) => (s === 'SIGTERM' ? 143 : 130);
  const onSignal = (s: NodeJS.Signals) => {
    if (signal) process.exit(code(s));
    signal = s;
    process.stderr.write(`\n${s === 'SIGINT' ? 'interrupt' : s}: saving a checkpoint after this step (press Ctrl-C again to quit at once)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    requested: () => signal !== null,
    exitCode: () => (signal ? code(signal) : 0),
    dispose: () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    },
  };
}
