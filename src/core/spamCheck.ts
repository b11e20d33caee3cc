// Content score for outgoing email: each rule adds points with a reason; a message passes while
// its score stays under SPAM_THRESHOLD. The same check runs on model-written and composed text.
import { SPAM_PHRASES } from './spamPhrases.ts';

export const SPAM_THRESHOLD = 5;
export const SPAM_PHRASE_POINTS = 1;

export const LINK_SHORTENERS: readonly string[] = [
  'bit.ly',
  'tinyurl.com',
  't.co',
  'goo.gl',
  'ow.ly',
  'is.gd',
  'buff.ly',
  'rebrand.ly',
  'cutt.ly',
  'shorturl.at',
  'tiny.cc',
  'rb.gy',
  'bl.ink',
  'soo.gd',
  's.id',
  'v.gd',
  'lnkd.in',
  'shorte.st',
  'adf.ly',
  'trib.al',
];

/** Upper-case words that are ordinary in business mail and never count as shouting. */
const ACRONYMS = new Set([
  'CEO',
  'CTO',
  'CFO',
  'COO',
  'CMO',
  'CIO',
  'CISO',
  'CRO',
  'VP',
  'SVP',
  'EVP',
  'HR',
  'IT',
  'AI',
  'ML',
  'API',
  'APIS',
  'CRM',
  'ERP',
  'SEO',
  'SDR',
  'SDRS',
  'BDR',
  'BDRS',
  'AE',
  'AES',
  'KPI',
  'KPIS',
  'OKR',
  'OKRS',
  'ROI',
  'B2B',
  'B2C',
  'SAAS',
  'SMB',
  'SMS',
  'USA',
  'UK',
  'EU',
  'US',
  'NYC',
  'GDPR',
  'SOC',
  'ISO',
  'FAQ',
  'PDF',
  'CSV',
  'SQL',
  'AWS',
  'GCP',
  'URL',
  'HTML',
  'CSS',
  'UX',
  'UI',
  'PS',
  'OK',
  'ASAP',
  'EMEA',
  'APAC',
  'LATAM',
  'ARR',
  'MRR',
  'GTM',
  'Q1',
  'Q2',
  'Q3',
  'Q4',
  'HQ',
  'STOP',
]);

export type SpamReason = { rule: string; detail: string; points: number };
export type SpamReport = { score: number; threshold: number; passed: boolean; reasons: SpamReason[] };
export type SpamInput = { subject?: string; text: string; html?: string };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const phraseSource = (phrase: string): string => escapeRegExp(phrase).replace(/\s+/g, '\\s+');
const WORD_BOUNDED = (source: string): string => `(?<![\\p{L}\\p{N}])(?:${source})(?![\\p{L}\\p{N}])`;

// Longest first, and each hit is blanked out, so "limited time offer" does not also count "limited time".
const PHRASE_PATTERNS = [...SPAM_PHRASES]
  .sort((a, b) => b.length - a.length)
  .map((phrase) => ({ phrase, pattern: new RegExp(WORD_BOUNDED(phraseSource(phrase)), 'giu') }));
/**
 * Matches where any one of the phrase patterns would: one pass over the text instead of one per
 * phrase. Most messages contain none, and then the per-phrase pass (which blanks hits longest
 * first) cannot change anything, so it is skipped.
 */
const ANY_PHRASE = new RegExp(WORD_BOUNDED(SPAM_PHRASES.map(phraseSource).join('|')), 'iu');

export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

function findLinks(text: string, html: string): string[] {
  const links = new Set<string>();
  for (const match of text.matchAll(/\b(?:https?:\/\/|www\.)[^\s<>"')]+/gi)) links.add(match[0].toLowerCase());
  for (const match of html.matchAll(/href\s*=\s*["']([^"']+)["']/gi)) {
    const href = (match[1] ?? '').toLowerCase();
    if (!href.startsWith('mailto:')) links.add(href);
  }
  return [...links];
}

function hostOf(link: string): string {
  return link.replace(/^https?:\/\//, '').split(/[/?#]/)[0] ?? '';
}

/** A capital letter and no small one; plain ASCII words are told apart without a regular expression. */
function isCapitals(word: string): boolean {
  let upper = false;
  for (let index = 0; index < word.length; index++) {
    const code = word.charCodeAt(index);
    if (code > 127) return /\p{Lu}/u.test(word) && !/\p{Ll}/u.test(word);
    if (code >= 97 && code <= 122) return false;
    if (code >= 65 && code <= 90) upper = true;
  }
  return upper;
}

function shoutingWords(text: string): string[] {
  const words = text.match(/[\p{L}\p{N}]{3,}/gu) ?? [];
  return words.filter((word) => isCapitals(word) && !ACRONYMS.has(word));
}

export function scoreContent(input: SpamInput): SpamReport {
  const reasons: SpamReason[] = [];
  const add = (rule: string, detail: string, points: number): void => {
    reasons.push({ rule, detail, points });
  };
  const subject = input.subject ?? '';
  const html = input.html ?? '';
  const visible = input.text.trim().length > 0 ? input.text : htmlToText(html);
  const all = `${subject}\n${visible}`;

  let remaining = all;
  if (ANY_PHRASE.test(all)) {
    for (const { phrase, pattern } of PHRASE_PATTERNS) {
      const next = remaining.replace(pattern, (hit: string) => ' '.repeat(hit.length));
      if (next !== remaining) add('phrase', `spam-trigger phrase "${phrase}"`, SPAM_PHRASE_POINTS);
      remaining = next;
    }
  }

  const subjectWords = subject.match(/\p{L}{2,}/gu) ?? [];
  const subjectLetters = subject.replace(/[^\p{L}]/gu, '');
  if (subjectLetters.length >= 4 && subjectWords.length > 0 && subjectLetters === subjectLetters.toUpperCase()) {
    add('caps_subject', 'subject is written in capitals', 2);
  }
  const shouting = shoutingWords(visible);
  // Two shouted words count when they are over a fifth of the words; three or more always do.
  const wordCount = (): number => (visible.match(/\p{L}+/gu) ?? []).length;
  if (shouting.length >= 3 || (shouting.length === 2 && shouting.length / wordCount() > 0.2)) {
    add(
      'caps_words',
      `${shouting.length} words in capitals (${shouting.slice(0, 3).join(', ')})`,
      Math.min(3, 1 + Math.floor(shouting.length / 5)),
    );
  }

  const exclamations = (all.match(/!/g) ?? []).length;
  if (exclamations > 2) add('exclamation', `${exclamations} exclamation marks`, exclamations > 5 ? 2 : 1);
  if (/!{2,}/.test(all)) add('exclamation_run', 'repeated exclamation marks ("!!")', 1);
  if (subject.includes('!')) add('exclamation_subject', 'exclamation mark in the subject', 1);
  const questions = (all.match(/\?/g) ?? []).length;
  if (/\?{2,}|\?!|!\?/.test(all)) add('question_run', 'repeated question marks ("??")', 1);
  else if (questions > 4) add('questions', `${questions} question marks`, 0.5);

  const links = findLinks(visible, html);
  if (links.length > 3) add('links', `${links.length} links (more than 3)`, Math.min(3, 1 + (links.length - 4) * 0.5));
  const shortened = links.filter((link) => LINK_SHORTENERS.includes(hostOf(link).replace(/^www\./, '')));
  if (shortened.length > 0)
    add('shortener', `link shortener: ${hostOf(shortened[0] ?? '')}`, Math.min(4, 2 * shortened.length));

  if (html.trim().length > 0 && input.text.trim().length === 0)
    add('no_text_part', 'HTML without a plain-text part', 1.5);
  if (input.subject !== undefined && subject.trim().length === 0) add('subject_missing', 'empty subject', 1);
  if (subject.length > 80)
    add('subject_length', `subject is ${subject.length} characters (over 80)`, subject.length > 120 ? 1 : 0.5);
  if (/\${2,}|€{2,}/.test(all)) add('money_symbols', 'repeated currency symbols', 1);

  const score = Math.round(reasons.reduce((sum, reason) => sum + reason.points, 0) * 100) / 100;
  return { score, threshold: SPAM_THRESHOLD, passed: score < SPAM_THRESHOLD, reasons };
}
