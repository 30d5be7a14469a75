import { type CallHandler, type ExecutionContext, Injectable, Logger, type NestInterceptor } from '@nestjs/common';
import { catchError, from, mergeMap, type Observable, tap, throwError } from 'rxjs';
import { EnforcementService } from './enforcement.service.js';
import { takeReservation } from './plan-reservation.util.js';

/**
 * Gives the guard's reservation back when the handler (or its validation) fails, so a failed
 * call costs nothing. If the process dies between the reservation and the handler's own commit,
 * the counter stays one use high: that errs towards refusing, never towards over-granting (see
 * README, "Plan enforcement").
 */
@Injectable()
export class PlanReservationInterceptor implements NestInterceptor {
  private readonly logger = new Logger(PlanReservationInterceptor.name);

  constructor(private readonly enforcement: EnforcementService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      tap(() => takeReservation(context)),
      catchError((error: unknown) => {
        const reservation = takeReservation(context);
        if (!reservation) return throwError(() => error);
        return from(
          this.enforcement.release(reservation).catch((releaseError: unknown) => {
            this.logger.error(
              { err: releaseError, reservation },
              'could not release a reservation after a failed call; the counter stays high until recounted',
            );
          }),
        ).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}
