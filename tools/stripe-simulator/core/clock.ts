/**
 * Virtual time in unix seconds. It follows the wall clock plus an offset, so objects created
 * without any advance still look fresh (the SDK's webhook tolerance is 300 s against real time).
 */
export class VirtualClock {
  private offsetMs = 0;

  constructor(private readonly realNowMs: () => number = () => Date.now()) {}

  now(): number {
    return Math.floor((this.realNowMs() + this.offsetMs) / 1000);
  }

  /** Jumps to an absolute virtual time; never moves backwards, because periods and events assume monotonic time. */
  moveTo(unixSeconds: number): void {
    const target = unixSeconds * 1000 - this.realNowMs();
    if (target > this.offsetMs) this.offsetMs = target;
  }

  offsetSeconds(): number {
    return Math.floor(this.offsetMs / 1000);
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
