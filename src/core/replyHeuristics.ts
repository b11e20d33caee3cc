// Heuristic reply classifier: always available, no model. Headers first (bounces, RFC 3834
// auto-replies), then the text the person actually wrote, scored against general phrase rules.
import { parseReturnDate } from './returnDate.ts';
import { normalizeHeaders, replyText, stripQuotedText } from './replyText.ts';
import { REPLY_RULES } from './replyPatterns.ts';
import type { ReplyIntent } from './replyPatterns.ts';

export type { ReplyIntent } from './replyPatterns.ts';

export const REPLY_INTENTS: readonly ReplyIntent[] = [
  'interested',
  'meeting_request',
  'question',
  'not_interested',
  'not_now',
  'referral',
  'out_of_office',
  'unsubscribe',
  'auto_reply',
  'bounce',
];
/** Replies that hand the contact to a person. */
export const POSITIVE_INTENTS: readonly ReplyIntent[] = ['interested', 'meeting_request', 'question'];

export type ReplyClassification = {
  intent: ReplyIntent;
  confidence: number;
  /** YYYY-MM-DD, for out_of_office (back on) and not_now (write again from) when the text names a date. */
  returnDate?: string;
  referral?: { name?: string; email?: string };
};

export type ClassifyReplyInput = {
  body: string;
  subject?: string;
  headers?: Record<string, string>;
  now: Date;
  /** The contact's IANA time zone: "Monday" and "the 15th" are days where the person is (default UTC). */
  zone?: string;
};

const BOUNCE_SUBJECT =
  /^(undeliverable|undelivered|delivery status notification|mail delivery failed|returned mail|delivery failure|failure notice|message not delivered|unzustellbar|non remis)/i;
const AUTO_SUBJECT =
  /^(automatic reply|auto(matic)?[- ]?reply|autoreply|out of (the )?office|ooo\b|abwesenheitsnotiz|réponse automatique|respuesta automática|resposta automática|fuera de la oficina)/i;
const NOT_NAMES = new Set([
  'Our',
  'The',
  'She',
  'He',
  'They',
  'Him',
  'Her',
  'Hi',
  'Hello',
  'Thanks',
  'Sales',
  'Marketing',
  'Head',
  'My',
  'Me',
  'I',
  'We',
  'You',
  'Please',
  'Monday',
  'Friday',
  'Ich',
  'Je',
  'Mi',
  'Meu',
  'Minha',
  'Unser',
  'Notre',
  'Nuestro',
]);

function isAutoByHeaders(headers: Map<string, string>): boolean {
  const submitted = headers.get('auto-submitted');
  if (submitted !== undefined && submitted.toLowerCase() !== 'no') return true;
  if (headers.has('x-autoreply') || headers.has('x-autorespond') || headers.has('x-auto-response-suppress'))
    return true;
  return /^(auto_reply|bulk|junk)$/i.test(headers.get('precedence') ?? '');
}

function isBounceByHeaders(headers: Map<string, string>): boolean {
  const type = headers.get('content-type') ?? '';
  if (/multipart\/report/i.test(type) && /report-type\s*=\s*"?delivery-status/i.test(type)) return true;
  if (headers.has('x-failed-recipients')) return true;
  return /(mailer-daemon|postmaster)@/i.test(headers.get('from') ?? '');
}

function scores(text: string): Map<ReplyIntent, number> {
  const result = new Map<ReplyIntent, number>();
  for (const rule of REPLY_RULES) {
    if (rule.pattern.test(text)) result.set(rule.intent, (result.get(rule.intent) ?? 0) + rule.weight);
  }
  return result;
}

function confidenceFor(score: number, runnerUp: number): number {
  const value = 0.45 + 0.1 * score - 0.08 * runnerUp;
  return Math.round(Math.min(0.95, Math.max(0.3, value)) * 100) / 100;
}

export function extractReferral(text: string): { name?: string; email?: string } {
  const email = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/.exec(text)?.[0];
  const name = "(\\p{Lu}[\\p{L}'-]+(?:\\s+\\p{Lu}[\\p{L}'-]+){0,2})";
  const patterns = [
    new RegExp(
      `(?:reach out to|talk to|speak (?:to|with)|contact|e-?mail|ping|get in touch with|connect with|cc'?(?:ed|ing|'d)?|copying|looping in|loop in|forwarded (?:this |your email |it )?to|introduce you to|try|an|à|a|com|con)\\s+(?:(?:our|my|the|his|her|notre|nuestra|nuestro|nossa|nosso|unsere[nm]?)\\s+)?(?:[\\p{Ll}]+\\s+){0,4}${name}`,
      'u',
    ),
    new RegExp(`${name}\\s*[(<,-]?\\s*[\\w.+-]+@`, 'u'),
    new RegExp(`${name},?\\s+(?:is|would be|handles|owns|runs|manages|looks after|ist|est|es|é)\\b`, 'u'),
  ];
  for (const pattern of patterns) {
    for (const match of text.matchAll(new RegExp(pattern.source, 'gu'))) {
      const words = (match[1] ?? '').split(/\s+/).filter((word) => !NOT_NAMES.has(word));
      if (words.length > 0 && words.length === (match[1] ?? '').split(/\s+/).length) {
        return email === undefined ? { name: words.join(' ') } : { name: words.join(' '), email };
      }
    }
  }
  return email === undefined ? {} : { email };
}

export function classifyReplyHeuristic(input: ClassifyReplyInput): ReplyClassification {
  const headers = normalizeHeaders(input.headers);
  const subject = (input.subject ?? headers.get('subject') ?? '').trim();
  const unquoted = stripQuotedText(input.body);
  const text = replyText(input.body);
  const ooo = (): ReplyClassification => {
    const returnDate = parseReturnDate(`${subject}\n${unquoted}`, input.now, input.zone);
    return returnDate === undefined
      ? { intent: 'out_of_office', confidence: 0.9 }
      : { intent: 'out_of_office', confidence: 0.95, returnDate };
  };

  if (isBounceByHeaders(headers)) return { intent: 'bounce', confidence: 0.98 };
  if (BOUNCE_SUBJECT.test(subject)) return { intent: 'bounce', confidence: 0.92 };
  const textScores = scores(`${subject}\n${text}`);
  const has = (intent: ReplyIntent, min = 3): boolean => (textScores.get(intent) ?? 0) >= min;
  if (isAutoByHeaders(headers) || AUTO_SUBJECT.test(subject)) {
    if (has('out_of_office') || /out of (the )?office|ooo|abwesenheit|fuera de la oficina/i.test(subject)) return ooo();
    if (has('bounce')) return { intent: 'bounce', confidence: 0.9 };
    return { intent: 'auto_reply', confidence: isAutoByHeaders(headers) ? 0.95 : 0.85 };
  }
  if (has('bounce') && text.length > 120) return { intent: 'bounce', confidence: 0.8 };
  if (has('unsubscribe'))
    return { intent: 'unsubscribe', confidence: confidenceFor(textScores.get('unsubscribe') ?? 0, 0) };
  if (has('out_of_office')) return ooo();
  if (has('auto_reply')) return { intent: 'auto_reply', confidence: 0.8 };

  const score = (intent: ReplyIntent): number => textScores.get(intent) ?? 0;
  const positive = Math.max(score('meeting_request'), score('question'), score('interested'));
  const pick = (intent: ReplyIntent, runnerUp: number): ReplyClassification => ({
    intent,
    confidence: confidenceFor(score(intent), runnerUp),
  });

  if (score('referral') >= 3) {
    const referral = extractReferral(text);
    return { intent: 'referral', confidence: confidenceFor(score('referral'), 0), referral };
  }
  if (score('not_now') >= 3) {
    const later = pick('not_now', Math.max(score('not_interested'), positive) / 2);
    const returnDate = parseReturnDate(text, input.now, input.zone);
    return returnDate === undefined ? later : { ...later, returnDate };
  }
  if (score('not_interested') >= 3 || (score('not_interested') >= 2 && score('not_interested') > positive)) {
    return pick('not_interested', positive);
  }
  if (score('meeting_request') >= 3)
    return pick('meeting_request', Math.max(score('question'), score('interested')) / 2);
  if (score('question') >= 3.5 || (score('question') >= 2.5 && score('question') > score('interested'))) {
    return pick('question', score('interested') / 2);
  }
  if (score('interested') >= 2) return pick('interested', score('question') / 2);
  if (score('meeting_request') > 0) return pick('meeting_request', 0);
  if (score('question') > 0) return { intent: 'question', confidence: 0.4 };
  if (score('referral') > 0) return { intent: 'referral', confidence: 0.4, referral: extractReferral(text) };
  if (score('not_interested') > 0) return { intent: 'not_interested', confidence: 0.4 };
  // Nothing matched: treat as positive so a person reads it (a hand-off is cheap, a missed reply is not).
  return { intent: 'interested', confidence: 0.3 };
}
