import cliProgress from 'cli-progress';

/**
 * One progress line on stderr over the planned seconds of a benchmark, with the current phase.
 * Phases advance the bar by their planned length, so the line moves even when a phase overruns.
 */
export class Progress {
  private readonly bar = new cliProgress.SingleBar(
    {
      format: '{bar} {percentage}% | {elapsed}s | {phase}',
      stream: process.stderr,
      hideCursor: false,
      clearOnComplete: false,
      // Also when the output goes to a file (background runs): one line every 10 s.
      noTTYOutput: true,
      notTTYSchedule: 10_000,
    },
    cliProgress.Presets.shades_classic,
  );
  private done = 0;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private phaseStart = 0;
  private phaseLength = 0;
  private phase = 'starting';
  private stopped = false;

  constructor(private readonly totalSeconds: number) {
    this.bar.start(totalSeconds, 0, { phase: this.phase, elapsed: 0 });
    this.timer = setInterval(() => this.render(), 1000);
    this.timer.unref();
  }

  /** Starts a phase planned to take `seconds`. */
  begin(phase: string, seconds: number): void {
    this.done += this.phaseLength;
    this.phase = phase;
    this.phaseStart = Date.now();
    this.phaseLength = seconds;
    this.render();
  }

  log(line: string): void {
    process.stderr.write(`\r\x1b[K${line}\n`);
    this.render();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.bar.update(this.totalSeconds, { phase: 'done', elapsed: this.elapsed() });
    this.bar.stop();
  }

  private render(): void {
    const inPhase = Math.min(this.phaseLength, (Date.now() - this.phaseStart) / 1000);
    this.bar.update(Math.min(this.totalSeconds, Math.round(this.done + inPhase)), { phase: this.phase, elapsed: this.elapsed() });
  }

  private elapsed(): number {
    return Math.round((Date.now() - this.started) / 1000);
  }
}
