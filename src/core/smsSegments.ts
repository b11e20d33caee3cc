// SMS segment arithmetic (3GPP TS 23.038). A text that fits the GSM 03.38 alphabet is sent as
// GSM-7: 160 septets in one segment, 153 per segment once concatenated (the UDH takes 7).
// Extension-table characters take two septets and never straddle a segment boundary.
// Anything else forces UCS-2: 70 UTF-16 units alone, 67 per segment, surrogate pairs kept whole.

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';

const BASIC = new Set([...GSM_BASIC]);
const EXTENSION = new Set([...GSM_EXTENSION]);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export type SmsSegmentInfo = {
  encoding: SmsEncoding;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  segments: number;
  /** Capacity of each segment in units for this text (160/153 or 70/67). */
  perSegment: number;
  /** Characters that forced UCS-2, if any. */
  nonGsm: string[];
};

export function isGsm7(text: string): boolean {
  return [...text].every((char) => BASIC.has(char) || EXTENSION.has(char));
}

function countSegments(unitsPerChar: readonly number[], single: number, multi: number): number {
  const total = unitsPerChar.reduce((sum, units) => sum + units, 0);
  if (total === 0) return 0;
  if (total <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const units of unitsPerChar) {
    if (used + units > multi) {
      segments++;
      used = 0;
    }
    used += units;
  }
  return segments;
}

export function smsSegments(text: string): SmsSegmentInfo {
  const chars = [...text];
  if (isGsm7(text)) {
    const units = chars.map((char) => (EXTENSION.has(char) ? 2 : 1));
    const total = units.reduce((sum, value) => sum + value, 0);
    const segments = countSegments(units, 160, 153);
    return { encoding: 'GSM-7', units: total, segments, perSegment: segments > 1 ? 153 : 160, nonGsm: [] };
  }
  const units = chars.map((char) => char.length);
  const total = units.reduce((sum, value) => sum + value, 0);
  const segments = countSegments(units, 70, 67);
  const nonGsm = [...new Set(chars.filter((char) => !BASIC.has(char) && !EXTENSION.has(char)))];
  return { encoding: 'UCS-2', units: total, segments, perSegment: segments > 1 ? 67 : 70, nonGsm };
}

/** Replaces typographic characters that would silently switch a text to UCS-2. */
export function toGsmFriendly(text: string): string {
  return text
    .replace(/[\u2018\u2019\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201F\u2033]/g, '"')
    .replace(/[\u2013\u2014\u2212]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/[\u00A0\u2009\u202F]/g, ' ');
}
