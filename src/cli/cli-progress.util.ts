import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  tick(done: number, total: number, label: string): void;
  stop(): void;
}

/**
 * A progress bar on a terminal, plain `[done/total] label` lines otherwise (logs, CI, pipes).
 * Always on stderr, so `--json` on stdout stays parseable.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    return {
      tick: (done, total, label) => void stream.write(`[${done}/${total}] ${label}\n`),
      stop: () => undefined,
    };
  }
  const bar = new SingleBar({ stream, format: '{bar} {value}/{total} {label}', hideCursor: true }, Presets.shades_classic);
  let started = false;
  return {
    tick(done, total, label) {
      if (!started) {
        bar.start(total, 0, { label });
        started = true;
      }
      bar.update(done, { label });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
