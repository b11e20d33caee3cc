// Reply text preparation: drop the quoted original ("On … wrote:", "> " lines, Outlook headers)
// and the signature, so the classifier reads only what the person wrote now.

const QUOTE_HEADERS: RegExp[] = [
  /^\s*On\b.{0,200}\bwrote:\s*$/i,
  /^\s*(Am|Le|El|Em|Il|Op)\b.{0,200}\b(schrieb|a écrit|escribió|escreveu|ha scritto|schreef)\s*.{0,40}:\s*$/i,
  /^\s*-{2,}\s*(Original Message|Forwarded message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Mensagem original)\s*-*\s*$/i,
  /^\s*_{8,}\s*$/,
];

const SIGNATURE_START: RegExp[] = [
  /^\s*--\s*$/,
  /^\s*(sent from my|get outlook for|enviado desde|envoyé de mon|von meinem|enviado do meu)\b/i,
  /^\s*(best|best regards|regards|kind regards|warm regards|many thanks|thanks|thank you|thx|cheers|br|sincerely|all the best|talk soon|mit freundlichen grüßen|freundliche grüße|viele grüße|beste grüße|lg|vg|cordialement|bien à vous|bien cordialement|merci|saludos|un saludo|atentamente|gracias|abraço|abraços|atenciosamente|obrigad[oa])[\s,.!-]*$/i,
];

/** "On Mon, 2 Mar 2026 at 09:00, Sam <sam@x.com> wrote:" may be wrapped over two lines. */
function isQuoteHeader(line: string, next: string | undefined): boolean {
  if (QUOTE_HEADERS.some((pattern) => pattern.test(line))) return true;
  if (next !== undefined && /^\s*On\b/i.test(line) && /wrote:\s*$/i.test(next)) return true;
  return false;
}

function isOutlookHeader(lines: readonly string[], index: number): boolean {
  if (!/^\s*\*?(From|Von|De|Da)\s*:\*?\s+\S/i.test(lines[index] ?? '')) return false;
  const following = lines.slice(index + 1, index + 5).join('\n');
  return /^\s*\*?(Sent|Date|To|Subject|Gesendet|Envoyé|Enviado|Datum|Betreff|Objet|Asunto|Assunto)\s*:/im.test(
    following,
  );
}

export function stripQuotedText(body: string): string {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (isQuoteHeader(line, lines[index + 1]) || isOutlookHeader(lines, index)) break;
    if (/^\s*>/.test(line)) continue;
    kept.push(line);
  }
  return kept.join('\n').trim();
}

export function stripSignature(body: string): string {
  const lines = body.split('\n');
  for (let index = 1; index < lines.length; index++) {
    if (SIGNATURE_START.some((pattern) => pattern.test(lines[index] ?? '')))
      return lines.slice(0, index).join('\n').trim();
  }
  return body.trim();
}

/** What the person wrote: no quoted original, no signature. */
export function replyText(body: string): string {
  return stripSignature(stripQuotedText(body));
}

export function normalizeHeaders(headers: Record<string, string> | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const [key, value] of Object.entries(headers ?? {})) map.set(key.toLowerCase().trim(), String(value).trim());
  return map;
}
