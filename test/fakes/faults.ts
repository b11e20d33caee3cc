// Fault injection shared by the provider fakes (R-provider, issue 16): a plan says what the next
// send requests meet — a 429 with Retry-After, a 5xx, a timeout after the request was accepted (the
// fake takes the message and never answers), a connection reset, or an SMTP reply (421/451/550) —
// either scripted or drawn from a seed. Every request the plan saw is logged with the fault it got,
// the key the fake names the message by, and the time on the plan's clock (the test's world clock).
import type { ServerResponse } from 'node:http';
import { seededRandom } from '../../src/core/random.ts';

export type Fault =
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  | { kind: 'server_error'; status: number }
  | { kind: 'timeout_after_accept' }
  | { kind: 'reset' }
  | { kind: 'smtp_reply'; code: number; text: string };
export type FaultKind = Fault['kind'];

export type FaultedRequest = { key: string; at: number; fault: Fault | undefined };

export class FaultPlan {
  readonly log: FaultedRequest[] = [];
  private readonly script: (Fault | undefined)[] = [];
  private readonly byKey = new Map<string, (Fault | undefined)[]>();
  private draw: (() => Fault | undefined) | undefined;

  /** The time requests are logged at: the test's world clock once it has one. */
  constructor(public clock: () => number = Date.now) {}

  /** The next requests meet these faults, in order (undefined: that request is served normally). */
  next(...faults: (Fault | undefined)[]): this {
    this.script.push(...faults);
    return this;
  }

  /** The next requests for message `key` meet these faults, in order, before any other rule. */
  forKey(key: string, ...faults: (Fault | undefined)[]): this {
    this.byKey.set(key, [...(this.byKey.get(key) ?? []), ...faults]);
    return this;
  }

  /** After the script, each request meets a fault with probability `rate`, drawn from `seed` among `faults`. */
  seeded(seed: string, rate: number, faults: readonly Fault[]): this {
    const random = seededRandom(seed);
    this.draw = () => (random() < rate ? faults[Math.floor(random() * faults.length)] : undefined);
    return this;
  }

  /** The fault a request for message `key` meets (and logs it). */
  take(key: string): Fault | undefined {
    const mine = this.byKey.get(key);
    const fault = mine?.length ? mine.shift() : this.script.length > 0 ? this.script.shift() : this.draw?.();
    this.log.push({ key, at: this.clock(), fault });
    return fault;
  }

  /** How many requests met each kind of fault. */
  counts(): Partial<Record<FaultKind | 'none', number>> {
    const counts: Partial<Record<FaultKind | 'none', number>> = {};
    for (const { fault } of this.log) counts[fault?.kind ?? 'none'] = (counts[fault?.kind ?? 'none'] ?? 0) + 1;
    return counts;
  }
}

/**
 * Carries out an HTTP fake's fault: `refuse` writes the provider's own error for a status (with
 * headers). Returns 'answered' when the request got the fault instead of being served; 'silent' when
 * the fake should serve it (take the message) but its answer must never reach the caller (timeout
 * after accept); undefined when there is no fault.
 */
export function applyFault(
  fault: Fault | undefined,
  res: ServerResponse,
  refuse: (status: number, headers: Record<string, string>) => void,
): 'answered' | 'silent' | undefined {
  if (!fault) return undefined;
  switch (fault.kind) {
    case 'rate_limited':
      refuse(429, { 'retry-after': String(fault.retryAfterSeconds) });
      return 'answered';
    case 'server_error':
      refuse(fault.status, {});
      return 'answered';
    case 'reset':
      res.socket?.destroy();
      return 'answered';
    case 'timeout_after_accept':
      // The message is taken; the answer is dropped and the connection left hanging until the caller gives up.
      res.writeHead = () => res;
      res.end = () => res;
      return 'silent';
    case 'smtp_reply':
      refuse(500, {});
      return 'answered';
  }
}
