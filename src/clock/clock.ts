/**
 * The one source of "now" for every decision in the service. Nest injects it by this class;
 * tests replace it with a ManualClock (`overrideProvider(Clock)`) and move it together with the
 * Stripe simulator's clock, so app and "Stripe" agree on what time it is.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that only moves when told to (tests, the CLI's `--now`). */
export class ManualClock extends Clock {
  private current: number;

  constructor(start: Date | number = Date.now()) {
    super();
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(at: Date | number): void {
    this.current = typeof at === 'number' ? at : at.getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
