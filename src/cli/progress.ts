import cliProgress from 'cli-progress';

export interface ProgressReporter {
  /** Advances to `done` of `total`; `fields` are printed after the bar (e.g. loss). */
  update(done: number, fields?: Record<string, string | number>): void;
  stop(): void;
}

/**
 * A progress bar with step, ETA and optional fields on stderr. When stderr is not a terminal (CI,
 * pipes) it prints a plain line at most every few seconds instead, so logs stay readable.
 */
export function progressBar(label: string, total: number, fieldNames: string[] = []): ProgressReporter {
  const fieldFormat = fieldNames.map((f) => `${f} {${f}}`).join(' | ');
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted}${fieldFormat ? ' | ' + fieldFormat : ''}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, Object.fromEntries(fieldNames.map((f) => [f, '-'])));
    return {
      update: (done, fields) => bar.update(done, fields ?? {}),
      stop: () => bar.stop(),
    };
  }
  const start = Date.now();
  // A resumed run's first update is where it resumed: the rate counts only the steps done since.
  let first: number | undefined;
  let lastPrint = 0;
  const line = (done: number, fields?: Record<string, string | number>) => {
    const elapsed = (Date.now() - start) / 1000;
    const eta = done > first! ? ((total - done) * elapsed) / (done - first!) : NaN;
    const extra = fields ? Object.entries(fields).map(([k, v]) => ` ${k} ${v}`).join('') : '';
    process.stderr.write(`${label} ${done}/${total} ETA ${Number.isFinite(eta) ? eta.toFixed(0) + 's' : '-'}${extra}\n`);
  };
  return {
    update(done, fields) {
      first ??= done;
      const now = Date.now();
      if (now - lastPrint >= 5000 || done === total) {
        lastPrint = now;
        line(done, fields);
      }
    },
    stop() {},
  };
}
