// The carrier-standard SMS keywords (CTIA; the words Twilio acts on for every number): a message
// that is one of these words alone, in any case, opts the sender out, back in, or asks for help.
// Twilio's `OptOutType` arrives only with Advanced Opt-Out, so the body is what we read.
export const OPT_OUT_WORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'CANCEL'] as const;
export const OPT_IN_WORDS = ['START', 'YES', 'UNSTOP'] as const;
export const HELP_WORDS = ['HELP', 'INFO'] as const;

export type SmsKeyword = 'opt_out' | 'opt_in' | 'help';

export function smsKeyword(body: string): SmsKeyword | undefined {
  const word = body
    .trim()
    .replace(/[.!]+$/, '')
    .toUpperCase();
  if ((OPT_OUT_WORDS as readonly string[]).includes(word)) return 'opt_out';
  if ((OPT_IN_WORDS as readonly string[]).includes(word)) return 'opt_in';
  if ((HELP_WORDS as readonly string[]).includes(word)) return 'help';
  return undefined;
}

/** Twilio's delivery error codes that say the number cannot receive SMS at all (later SMS steps fall back). */
export const UNREACHABLE_SMS_CODES = ['30003', '30005', '30006'] as const;

export function isUnreachableSmsCode(code: string | undefined): boolean {
  return code !== undefined && (UNREACHABLE_SMS_CODES as readonly string[]).includes(code);
}
