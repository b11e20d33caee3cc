// When is the person back, or when may we write again? "back on Monday 3 March", "returning 12/03",
// "until January 5th", "zurück am 9. März", "not before March", "ping me again in Q3", "after the
// 15th". Dates are read by chrono-node (English, German, French, Spanish, Portuguese parsers) with
// `now` and the contact's time zone injected; two small parsers of our own add what chrono does not
// read (quarters, a bare "the 15th"). Answers YYYY-MM-DD in that zone, or undefined.
import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';

type Mention = { index: number; text: string; date: DateTime; end?: DateTime; weekdayOnly: boolean };

/** "Q3", "in Q3", "Q3 2027", "next quarter": the first day of that quarter. */
const quarterParser: chrono.Parser = {
  pattern: () => /\b(?:Q([1-4])(?:\s+(\d{4}))?|next quarter)\b/i,
  extract: (context, match) => {
    const ref = DateTime.fromJSDate(context.refDate, { zone: 'utc' });
    const quarter = match[1] === undefined ? (Math.ceil(ref.month / 3) % 4) + 1 : Number(match[1]);
    const explicit = match[2] === undefined ? undefined : Number(match[2]);
    const month = (quarter - 1) * 3 + 1;
    // A quarter already under way (or past) means next year's unless a year is named.
    const year = explicit ?? (month <= ref.month ? ref.year + 1 : ref.year);
    return context.createParsingComponents({ year, month, day: 1 });
  },
};

/** "the 15th", "am 14.", "le 14", "el 14": this month's day, or next month's when it has passed. */
const ordinalDayParser: chrono.Parser = {
  pattern: () => /(?<![\p{L}])(?:the|le|el|am|dia|den)\s+(\d{1,2})(?:st|nd|rd|th|er|\.)?(?![\d/:\p{L}]|\.\d)/iu,
  extract: (context, match) => {
    const day = Number(match[1]);
    if (day < 1 || day > 31) return null;
    const ref = DateTime.fromJSDate(context.refDate, { zone: 'utc' }).startOf('day');
    const thisMonth = DateTime.utc(ref.year, ref.month, day);
    const next = ref.plus({ months: 1 });
    const date = thisMonth.isValid && thisMonth >= ref ? thisMonth : DateTime.utc(next.year, next.month, day);
    if (!date.isValid) return null;
    return context.createParsingComponents({ year: date.year, month: date.month, day: date.day });
  },
};

/**
 * "not before May", "after June": chrono reads a bare month name only in some contexts ("in May"),
 * because "may" is also a verb. After these words we ask chrono itself to read "in <word>".
 */
const monthAfterWordParser: chrono.Parser = {
  pattern: () => /\b(?:before|after|until|till|from)\s+(\p{Lu}\p{Ll}{2,8})\b(?!\.?\s*\d)/u,
  extract: (context, match) => {
    const [result] = chrono.casual.parse(`in ${match[1] ?? ''}`, context.refDate, { forwardDate: true });
    if (result === undefined || !result.start.isCertain('month') || result.start.isCertain('day')) return null;
    const date = result.start.date();
    return context.createParsingComponents({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: 1 });
  },
};

const english = chrono.casual.clone();
english.parsers.push(quarterParser, ordinalDayParser, monthAfterWordParser);
// en.GB reads "12/03" day-first; where both readings are dates, the sooner upcoming one wins.
const british = chrono.en.GB.clone();
const PARSERS: readonly chrono.Chrono[] = [
  english,
  british,
  chrono.de.casual,
  chrono.fr.casual,
  chrono.es.casual,
  chrono.pt.casual,
];

/** Words after which a date is when the person is back (or may be written to again). */
const TRIGGER =
  /(back|return|returning|returns|until|till|til|through|thru|after|before|again|in|from|bis|zurück|zuruck|wieder|ab|retour|jusqu|reviens|rentre|après|hasta|regreso|regresaré|vuelvo|volveré|después|até|ate|retorno|volto|voltarei|depois)\W*\S*\W*$/iu;

function better(candidate: Mention, current: Mention, now: Date, zone: string): boolean {
  if (candidate.text.length !== current.text.length) return candidate.text.length > current.text.length;
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const upcoming = (mention: Mention) => mention.date >= today;
  if (upcoming(candidate) !== upcoming(current)) return upcoming(candidate);
  return candidate.date < current.date;
}

function mentionsOf(text: string, now: Date, zone: string): Mention[] {
  const offset = DateTime.fromJSDate(now, { zone }).offset;
  const reference = { instant: now, timezone: offset };
  const mentions: Mention[] = [];
  for (const parser of PARSERS) {
    for (const result of parser.parse(text, reference, { forwardDate: true })) {
      // "now" and "right now" are not a date someone gives for later.
      if (/^(?:right\s+)?now$/i.test(result.text.trim())) continue;
      // A time of day alone ("after 10am") says nothing about the day.
      const dated = ['day', 'weekday', 'month', 'year'] as const;
      if (result.start.isCertain('hour') && !dated.some((component) => result.start.isCertain(component))) continue;
      const local = (date: Date) => DateTime.fromJSDate(date, { zone }).startOf('day');
      const mention: Mention = {
        index: result.index,
        text: result.text,
        date: local(result.start.date()),
        ...(result.end === undefined || result.end === null ? {} : { end: local(result.end.date()) }),
        weekdayOnly: result.start.isCertain('weekday') && !result.start.isCertain('day'),
      };
      // Two parsers reading the same words: the longer reading ("9. März" over "am 9.") wins; for
      // the same words ("12/03" month-first and day-first) the sooner upcoming date does.
      const overlapping = mentions.findIndex(
        (other) => other.index < mention.index + mention.text.length && mention.index < other.index + other.text.length,
      );
      const other = mentions[overlapping];
      if (other === undefined) mentions.push(mention);
      else if (better(mention, other, now, zone)) mentions[overlapping] = mention;
    }
  }
  return mentions.sort((a, b) => a.index - b.index);
}

/**
 * The return date in `text`, resolved against `now` in `zone` (an IANA name; default UTC). The last
 * date after "back / until / after / again …" wins, otherwise the last one named; a range gives its
 * end; "through Friday" and "after the 15th" give the day after; a bare weekday that is today
 * means next week's.
 */
export function parseReturnDate(text: string, now: Date, zone = 'UTC'): string | undefined {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  if (!today.isValid) return parseReturnDate(text, now, 'UTC');
  const mentions = mentionsOf(text, now, zone)
    .map((mention) =>
      mention.weekdayOnly && mention.date <= today ? { ...mention, date: mention.date.plus({ days: 7 }) } : mention,
    )
    .filter((mention) => (mention.end ?? mention.date) >= today);
  const triggered = mentions
    .filter((mention) => TRIGGER.test(text.slice(Math.max(0, mention.index - 30), mention.index)))
    .at(-1);
  const chosen = triggered ?? mentions[mentions.length - 1];
  if (chosen === undefined) return undefined;
  const before = text.slice(Math.max(0, chosen.index - 25), chosen.index).toLowerCase();
  let date = chosen.end ?? chosen.date;
  // "through Friday" names the last day away; "after the 15th" the last day not to write.
  if (/\b(through|thru|including|inclusive|after|après|nach|después|depois)\W*(?:the\s+)?\S*\s*$/.test(before))
    date = date.plus({ days: 1 });
  return date.toISODate() ?? undefined;
}
