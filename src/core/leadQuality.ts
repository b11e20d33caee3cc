// Leads that look like placeholders or junk: test names ("Test User", "John Doe", "asdf"), generic
// or empty-looking companies ("Company", "N/A", "Test Inc"), and addresses at domains reserved for
// examples and tests (example.com, *.test, *.invalid, *.localhost). Such a lead is imported (so it can
// be fixed) but flagged, and enrollment skips it with the reason: nobody writes to "Test User".
// Pure; the flag is derived from the contact's data each time, so fixing the data clears it.

export type LeadLike = {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
};

const TEST_NAMES = new Set([
  'test',
  'testing',
  'tester',
  'testuser',
  'test user',
  'asdf',
  'asdfgh',
  'qwerty',
  'foo',
  'bar',
  'baz',
  'foobar',
  'lorem',
  'ipsum',
  'lorem ipsum',
  'dummy',
  'fake',
  'sample',
  'placeholder',
  'john doe',
  'jane doe',
  'firstname',
  'first name',
  'lastname',
  'last name',
  'first last',
  'name',
  'user',
  'null',
  'undefined',
  'none',
  'n/a',
  'xxx',
  'abc',
  'aaa',
  'unknown',
]);

const PLACEHOLDER_COMPANIES = new Set([
  'company',
  'my company',
  'your company',
  'test',
  'test company',
  'test inc',
  'test corp',
  'testco',
  'example',
  'example inc',
  'example company',
  'sample company',
  'acme corp test',
  'company name',
  'n/a',
  'none',
  'null',
  'undefined',
  'unknown',
  '-',
  '.',
  'tbd',
  'xxx',
  'asdf',
]);

/** Names reserved for tests (RFC 6761): no mailbox exists there. */
const TEST_DOMAIN = /^localhost$|\.(?:test|invalid|localhost)$/i;
/**
 * Domains reserved for documentation (RFC 2606). On their own they are not enough: the docs and
 * most first tries of the product use them for a real-looking person; with a test-like address or
 * another signal they count.
 */
const EXAMPLE_DOMAIN = /(?:^|\.)example(?:\.(?:com|net|org))?$/i;

function normalized(value: string | null | undefined): string {
  return (value ?? '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}/.-]+/gu, ' ')
    .trim();
}

/** Why the lead looks like a placeholder; empty when it looks real. */
export function placeholderReasons(lead: LeadLike): string[] {
  const reasons: string[] = [];
  const first = normalized(lead.firstName);
  const last = normalized(lead.lastName);
  const full = [first, last].filter((part) => part.length > 0).join(' ');
  if (TEST_NAMES.has(full) || TEST_NAMES.has(first) || (last.length > 0 && TEST_NAMES.has(last)))
    reasons.push(`the name "${[lead.firstName, lead.lastName].filter(Boolean).join(' ')}" looks like test data`);
  const company = normalized(lead.company);
  if (lead.company != null && (company.length === 0 || PLACEHOLDER_COMPANIES.has(company)))
    reasons.push(`the company "${lead.company}" is a placeholder`);
  const domain = (lead.email ?? '').split('@')[1]?.toLowerCase();
  const local = normalized((lead.email ?? '').split('@')[0]);
  const testLocal = TEST_NAMES.has(local) && local !== 'name';
  if (domain !== undefined && TEST_DOMAIN.test(domain))
    reasons.push(`the email domain ${domain} is reserved for tests`);
  else if (domain !== undefined && EXAMPLE_DOMAIN.test(domain) && (testLocal || reasons.length > 0))
    reasons.push(`the email domain ${domain} is reserved for examples`);
  else if (reasons.length === 0 && testLocal) reasons.push(`the address ${lead.email ?? ''} looks like test data`);
  return reasons;
}

/** "looks like a placeholder lead: a; b" or undefined. */
export function placeholderReason(lead: LeadLike): string | undefined {
  const reasons = placeholderReasons(lead);
  return reasons.length === 0 ? undefined : `looks like a placeholder lead: ${reasons.join('; ')}`;
}
