/** Ctrl-C during long work: the first press asks the job to save and stop; a second one exits at once. */
export function interruptFlag(): { requested: () => boolean; dispose: () => void } {
  let requested = false;
  const onSigint = () => {
    if (requested) process.exit(130);
    requested = true;
    process.stderr.write('\ninterrupt: saving a checkpoint after this step (press Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  return { requested: () => requested, dispose: () => process.removeListener('SIGINT', onSigint) };
}
