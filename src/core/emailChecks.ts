// Pre-send checks on a recipient address that need no network: syntax, disposable domains and role
// mailboxes. A blocking issue skips the recipient with its reason on the timeline ("Invalid email
// address", spec 000); a warning is shown but does not stop the step. The MX lookup lives in
// channels/email/recipientCheck.ts because it does IO.
import { createRequire } from 'node:module';
import validator from 'validator';
import { z } from 'zod';

export type AddressIssueCode = 'missing' | 'syntax' | 'disposable' | 'role' | 'no_mail_server';
export type AddressIssue = { code: AddressIssueCode; severity: 'block' | 'warn'; reason: string };
export type AddressCheck = {
  ok: boolean;
  /** Lower-cased domain, trimmed address: set when the syntax is valid. */
  email?: string;
  domain?: string;
  issues: AddressIssue[];
};

export const INVALID_EMAIL_REASON = 'Invalid email address';

/** Shared mailboxes that rarely belong to one decision-maker and often feed spam traps. */
export const ROLE_LOCAL_PARTS: readonly string[] = [
  'abuse',
  'accounts',
  'admin',
  'administrator',
  'billing',
  'careers',
  'contact',
  'customercare',
  'customerservice',
  'enquiries',
  'enquiry',
  'feedback',
  'finance',
  'hello',
  'help',
  'helpdesk',
  'hostmaster',
  'hr',
  'info',
  'inquiries',
  'jobs',
  'legal',
  'mail',
  'mailer-daemon',
  'marketing',
  'media',
  'newsletter',
  'no-reply',
  'noc',
  'noreply',
  'do-not-reply',
  'donotreply',
  'office',
  'orders',
  'postmaster',
  'press',
  'privacy',
  'recruiting',
  'root',
  'sales',
  'security',
  'service',
  'spam',
  'support',
  'team',
  'webmaster',
];
const ROLES = new Set(ROLE_LOCAL_PARTS);

export function checkAddressOffline(raw: string | null | undefined): AddressCheck {
  const trimmed = (raw ?? '').trim();
  if (trimmed === '') {
    return {
      ok: false,
      issues: [{ code: 'missing', severity: 'block', reason: `${INVALID_EMAIL_REASON}: none given` }],
    };
  }
  // validator accepts international local parts and domains; zod's z.email() does not.
  if (!validator.isEmail(trimmed, { allow_utf8_local_part: true, require_tld: true, allow_ip_domain: false })) {
    return {
      ok: false,
      issues: [{ code: 'syntax', severity: 'block', reason: `${INVALID_EMAIL_REASON}: ${trimmed}` }],
    };
  }
  const at = trimmed.lastIndexOf('@');
  const domain = trimmed.slice(at + 1).toLowerCase();
  const local = trimmed.slice(0, at);
  const email = `${local}@${domain}`;
  const issues: AddressIssue[] = [];
  if (isDisposableDomain(domain)) {
    issues.push({ code: 'disposable', severity: 'block', reason: `Disposable email domain: ${domain}` });
  }
  if (isRoleAddress(local)) {
    issues.push({
      code: 'role',
      severity: 'warn',
      reason: `Role address (${local.toLowerCase()}@): reaches a team, not a person`,
    });
  }
  return { ok: issues.every((issue) => issue.severity !== 'block'), email, domain, issues };
}

export function isRoleAddress(localPart: string): boolean {
  const base = localPart.toLowerCase().split('+')[0] ?? '';
  return ROLES.has(base);
}

/** True for a listed disposable domain, or a subdomain of a wildcard-listed one. */
export function isDisposableDomain(domain: string): boolean {
  const lists = disposableLists();
  const lower = domain.toLowerCase();
  if (lists.exact.has(lower)) return true;
  const labels = lower.split('.');
  for (let i = 0; i < labels.length - 1; i += 1) {
    if (lists.wildcard.has(labels.slice(i).join('.'))) return true;
  }
  return false;
}

let cached: { exact: Set<string>; wildcard: Set<string> } | undefined;

// ~120k domains: loaded on first use, not at import.
function disposableLists(): { exact: Set<string>; wildcard: Set<string> } {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const list = z.array(z.string());
  cached = {
    exact: new Set(list.parse(require('disposable-email-domains'))),
    wildcard: new Set(list.parse(require('disposable-email-domains/wildcard.json'))),
  };
  return cached;
}
