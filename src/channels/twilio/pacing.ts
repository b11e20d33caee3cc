// Twilio's throughput per sender, as units the engine paces by (PROVIDERS.md, "Throughput" and
// "Calls"): an SMS costs one unit per segment (a 3-segment text takes a long code 3 seconds), and a
// US long code takes 1 segment a second. Toll-free numbers and short codes take more (our defaults,
// 3 and 100, are conservative guesses, not documented figures); a Messaging Service or an upgraded
// number says its own in `segmentsPerSecond`. A new call costs one unit of the account's calls per second
// (1 by default). Twilio queues what comes faster, for up to 10 hours, then fails it (21611).
import { smsSegments } from '../../core/smsSegments.ts';
import type { AccountAddress, Pace, PacedWork } from '../types.ts';
import type { TwilioCredentials } from './credentials.ts';

export const LONG_CODE_SEGMENTS_PER_SECOND = 1;
export const TOLL_FREE_SEGMENTS_PER_SECOND = 3;
export const SHORT_CODE_SEGMENTS_PER_SECOND = 100;

const US_TOLL_FREE = /^\+18(00|33|44|55|66|77|88)\d{7}$/;
const SHORT_CODE = /^\d{5,6}$/;

/** Segments a second a sender takes when the account does not say. */
export function defaultSegmentsPerSecond(fromPhone: string | null | undefined): number {
  if (fromPhone && US_TOLL_FREE.test(fromPhone)) return TOLL_FREE_SEGMENTS_PER_SECOND;
  if (fromPhone && SHORT_CODE.test(fromPhone)) return SHORT_CODE_SEGMENTS_PER_SECOND;
  return LONG_CODE_SEGMENTS_PER_SECOND;
}

export function twilioPace(work: PacedWork, credentials: TwilioCredentials, account: AccountAddress): Pace | undefined {
  if (work.kind === 'dial') return { units: 1, perSecond: credentials.callsPerSecond };
  if (work.message.channel !== 'sms') return undefined;
  return {
    units: smsSegments(work.message.text).segments,
    perSecond: credentials.segmentsPerSecond ?? defaultSegmentsPerSecond(account.fromPhone),
  };
}
