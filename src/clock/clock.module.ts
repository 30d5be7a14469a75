import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock.js';

/** Global: every module reads time through the same Clock instance. */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }],
  exports: [Clock],
})
export class ClockModule {}
