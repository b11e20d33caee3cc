// Return dates in out-of-office replies: "back on Monday 3 March", "returning 12/03", "until
// January 5th", "back on the 14th", "zurück am 9. März", "de retour le 10 mars". Resolved against
// `now` (UTC) to the next matching date on or after today; YYYY-MM-DD, or undefined.
import { DateTime } from 'luxon';

const MONTHS: Record<string, number> = {};
const MONTH_NAMES: [number, string][] = [
  [1, 'january jan januar jänner janvier enero janeiro'],
  [2, 'february feb februar février fevrier febrero fevereiro'],
  [3, 'march mar märz maerz mars marzo março marco'],
  [4, 'april apr avril abril'],
  [5, 'may mai mayo maio'],
  [6, 'june jun juni juin junio junho'],
  [7, 'july jul juli juillet julio julho'],
  [8, 'august aug août aout agosto'],
  [9, 'september sep sept septembre septiembre setiembre setembro'],
  [10, 'october oct oktober octobre octubre outubro'],
  [11, 'november nov novembre noviembre novembro'],
  [12, 'december dec dezember décembre decembre diciembre dezembro'],
];
for (const [month, names] of MONTH_NAMES) for (const name of names.split(' ')) MONTHS[name] = month;

const WEEKDAYS: Record<string, number> = {};
const WEEKDAY_NAMES: [number, string][] = [
  [1, 'monday mon montag lundi lunes segunda'],
  [2, 'tuesday tue tues dienstag mardi martes terça terca'],
  [3, 'wednesday mittwoch mercredi miércoles miercoles quarta'],
  [4, 'thursday thu thurs donnerstag jeudi jueves quinta'],
  [5, 'friday fri freitag vendredi viernes sexta'],
  [6, 'saturday samstag samedi sábado sabado'],
  [7, 'sunday sonntag dimanche domingo'],
];
for (const [day, names] of WEEKDAY_NAMES) for (const name of names.split(' ')) WEEKDAYS[name] = day;

const MONTH_RE = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');
const WEEKDAY_RE = Object.keys(WEEKDAYS)
  .sort((a, b) => b.length - a.length)
  .join('|');
const B = '(?<![\\p{L}\\p{N}])';
const E = '(?![\\p{L}\\p{N}])';
/** Words after which a date is when the person is back (or the last day away). */
const TRIGGER =
  /(back|return|returning|returns|until|till|til|through|thru|bis|zurück|zuruck|wieder|retour|jusqu|reviens|rentre|hasta|regreso|regresaré|vuelvo|volveré|até|ate|retorno|volto|voltarei)/iu;

type Mention = { index: number; date: DateTime };

function today(now: Date): DateTime {
  return DateTime.fromJSDate(now, { zone: 'utc' }).startOf('day');
}

/** Day and month with an optional year; without a year, the next occurrence from today. */
function resolveDayMonth(day: number, month: number, year: number | undefined, from: DateTime): DateTime | undefined {
  if (year !== undefined) {
    const full = year < 100 ? 2000 + year : year;
    const date = DateTime.utc(full, month, day);
    return date.isValid ? date : undefined;
  }
  for (const candidate of [from.year, from.year + 1]) {
    const date = DateTime.utc(candidate, month, day);
    if (date.isValid && date >= from) return date;
  }
  return undefined;
}

function collectMentions(text: string, from: DateTime): Mention[] {
  const mentions: Mention[] = [];
  const add = (index: number, date: DateTime | undefined): void => {
    if (date !== undefined && !mentions.some((mention) => Math.abs(mention.index - index) < 3))
      mentions.push({ index, date });
  };
  for (const m of text.matchAll(/(\d{4})-(\d{2})-(\d{2})/g))
    add(m.index, resolveDayMonth(Number(m[3]), Number(m[2]), Number(m[1]), from));
  const dayMonth = new RegExp(
    `${B}(\\d{1,2})(?:st|nd|rd|th|er|º|\\.)?\\s*(?:of\\s+|de\\s+)?(${MONTH_RE})\\.?${E}(?:,?\\s*(?:de\\s+)?(\\d{4}))?`,
    'giu',
  );
  for (const m of text.matchAll(dayMonth)) {
    add(
      m.index,
      resolveDayMonth(
        Number(m[1]),
        MONTHS[(m[2] ?? '').toLowerCase()] ?? 0,
        m[3] === undefined ? undefined : Number(m[3]),
        from,
      ),
    );
  }
  const monthDay = new RegExp(`${B}(${MONTH_RE})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?${E}(?:,?\\s*(\\d{4}))?`, 'giu');
  for (const m of text.matchAll(monthDay)) {
    add(
      m.index,
      resolveDayMonth(
        Number(m[2]),
        MONTHS[(m[1] ?? '').toLowerCase()] ?? 0,
        m[3] === undefined ? undefined : Number(m[3]),
        from,
      ),
    );
  }
  for (const m of text.matchAll(/(?<![\d/.])(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?(?![\d/]|\.\d)/g)) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const year = m[3] === undefined ? undefined : Number(m[3]);
    // Day-first and month-first both possible: take the sooner upcoming date.
    const options = [resolveDayMonth(a, b, year, from), resolveDayMonth(b, a, year, from)]
      .filter((date): date is DateTime => date !== undefined && date >= from)
      .sort((x, y) => x.toMillis() - y.toMillis());
    add(m.index, options[0]);
  }
  const ordinal = /(?<![\p{L}])(?:the|le|el|am|dia|den)\s+(\d{1,2})(?:st|nd|rd|th|er)?(?![\d/:]|\.\d)/giu;
  for (const m of text.matchAll(ordinal)) {
    const day = Number(m[1]);
    const thisMonth = DateTime.utc(from.year, from.month, day);
    const next = from.plus({ months: 1 });
    add(m.index, thisMonth.isValid && thisMonth >= from ? thisMonth : DateTime.utc(next.year, next.month, day));
  }
  const weekday = new RegExp(`${B}(${WEEKDAY_RE})${E}`, 'giu');
  for (const m of text.matchAll(weekday)) {
    const target = WEEKDAYS[(m[1] ?? '').toLowerCase()] ?? 1;
    const ahead = (target - from.weekday + 7) % 7 || 7;
    add(m.index, from.plus({ days: ahead }));
  }
  for (const m of text.matchAll(/(?<![\p{L}])(tomorrow|morgen|demain|mañana|amanhã)(?![\p{L}])/giu))
    add(m.index, from.plus({ days: 1 }));
  for (const m of text.matchAll(
    /next week|nächste woche|la semaine prochaine|la próxima semana|semana que vem|próxima semana/giu,
  )) {
    add(m.index, from.plus({ days: 8 - from.weekday }));
  }
  return mentions.sort((x, y) => x.index - y.index);
}

export function parseReturnDate(text: string, now: Date): string | undefined {
  const from = today(now);
  const lower = text.toLowerCase();
  const mentions = collectMentions(lower, from).filter((mention) => mention.date.isValid && mention.date >= from);
  if (mentions.length === 0) return undefined;
  const triggered = mentions.find((mention) =>
    TRIGGER.test(lower.slice(Math.max(0, mention.index - 40), mention.index)),
  );
  const chosen = triggered ?? mentions[mentions.length - 1];
  if (chosen === undefined) return undefined;
  const before = lower.slice(Math.max(0, chosen.index - 25), chosen.index);
  // "through Friday" names the last day away; the person is back the day after.
  const date = /(through|thru|including|inclusive)\s*(?:the\s+)?\S*\s*$/.test(before)
    ? chosen.date.plus({ days: 1 })
    : chosen.date;
  return date.toISODate() ?? undefined;
}
