import type Stripe from 'stripe';
import { API_VERSION } from './constants.js';
import { newId } from './ids.js';
import { previousAttributes, snapshot } from './diff.js';

export type EventType = Stripe.Event['type'];
export type EventObject<T extends EventType> = Extract<Stripe.Event, { type: T }>['data']['object'];

export interface RequestInfo {
  id: string;
  idempotencyKey: string | null;
}

export interface EventSink {
  /** Called once per recorded event; returns how many endpoints will receive it (`pending_webhooks`). */
  publish(event: Stripe.Event): number;
}

/**
 * Records events with a snapshot of the object at that moment (events are immutable on Stripe) and
 * hands them to delivery. Requests are handled synchronously, so the current request is simply a
 * field set around each API call.
 */
export class EventRecorder {
  currentRequest: RequestInfo | null = null;

  constructor(
    private readonly events: Map<string, Stripe.Event>,
    private readonly now: () => number,
    private readonly sink: EventSink,
  ) {}

  emit<T extends EventType>(type: T, object: EventObject<T>, previous?: Partial<EventObject<T>>): Stripe.Event {
    const data: Stripe.Event.Data = { object: snapshot(object) };
    if (previous !== undefined) data.previous_attributes = snapshot(previous);
    // The union member for `type` is not provable inside a generic function; `object` was typed by the caller.
    const event = {
      id: newId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: this.now(),
      data,
      livemode: false,
      pending_webhooks: 0,
      request: this.currentRequest
        ? { id: this.currentRequest.id, idempotency_key: this.currentRequest.idempotencyKey }
        : { id: null, idempotency_key: null },
      type,
    } as Stripe.Event;
    this.events.set(event.id, event);
    event.pending_webhooks = this.sink.publish(event);
    return event;
  }

  /** Emits `*.updated` only when something changed, with `previous_attributes`. */
  emitUpdated<T extends EventType>(type: T, before: EventObject<T>, after: EventObject<T>): Stripe.Event | null {
    const previous = previousAttributes(before as object, after as object) as Partial<EventObject<T>> | undefined;
    if (!previous) return null;
    return this.emit(type, after, previous);
  }
}
