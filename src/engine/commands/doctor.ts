// `quotahit doctor` and GET /v1/doctor: is this installation ready to send? For each sending
// account its adapter's connection check, for each sending domain its DNS (doctorDns.ts), the
// tracking domain, PUBLIC_URL, the encryption key and the workspace's sender identity. Every check
// ends in a plain verdict and, unless it is ok, what to do about it.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { FALLBACK_PROVIDER, type AdapterRegistry } from '../../channels/registry.ts';
import type { ConnectionCheck, SenderDns } from '../../channels/types.ts';
import type { Db } from '../../db/database.ts';
import { listSenderRows, type SenderRow } from '../../db/senders.ts';
import { getWorkspace } from '../../db/workspaces.ts';
import { openCredentials } from '../accounts/credentials.ts';
import { checkDomain, checkTrackingDomain, type DnsResolver, type DomainUse } from './doctorDns.ts';
import { checkPublicUrl } from './doctorSettings.ts';

export type { ConnectionCheck } from '../../channels/types.ts';

export type Verdict = ConnectionCheck['verdict'];
export type DoctorCheck = ConnectionCheck & {
  area: 'setup' | 'workspace' | 'account' | 'domain' | 'tracking';
  subject: string;
};
export type DoctorReport = { verdict: Verdict; summary: Record<Verdict, number>; checks: DoctorCheck[] };

export type DoctorDeps = {
  db: Db;
  adapters: AdapterRegistry;
  encryptionKey: Buffer;
  previousEncryptionKeys?: readonly Buffer[];
  /** Where the key came from; a key only in the data directory is lost with the machine. */
  keySource: 'environment' | 'data directory';
  dataDir: string;
  publicUrl: string;
  trackingBaseUrl: string;
  dkimSelectors: readonly string[];
  resolver: DnsResolver;
  /** How long one account's connection check may take. */
  accountTimeoutMs?: number;
};

export async function runDoctor(deps: DoctorDeps, options: { workspaceIds: string[] }): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [...(await checkPublicUrl(deps.resolver, deps.publicUrl)), await checkKey(deps)];
  checks.push(await checkTrackingDomain(deps.resolver, deps));
  const domains = new Map<string, DomainUse>();
  const defaults = new Map<string, Set<string>>();
  for (const workspaceId of options.workspaceIds) {
    const { workspace, senders } = await deps.db.tenant(workspaceId, async (sql) => ({
      workspace: await getWorkspace(sql),
      senders: await listSenderRows(sql),
    }));
    if (!workspace) continue;
    checks.push(...checkIdentity(workspace.name, workspace));
    for (const sender of senders)
      checks.push(...(await checkAccount(deps, workspace.name, sender, { domains, defaults })));
  }
  for (const [domain, use] of domains) {
    // The account's own DKIM key first; else QUOTAHIT_DKIM_SELECTOR; else the provider's usual selector.
    if (use.selectors.size === 0) {
      for (const s of deps.dkimSelectors.length > 0 ? deps.dkimSelectors : (defaults.get(domain) ?? []))
        use.selectors.set(s, null);
    }
    checks.push(...(await checkDomain(deps.resolver, use)));
  }
  return report(checks);
}

export function report(checks: DoctorCheck[]): DoctorReport {
  const summary = { ok: 0, warning: 0, failed: 0 };
  for (const check of checks) summary[check.verdict] += 1;
  const verdict: Verdict = summary.failed > 0 ? 'failed' : summary.warning > 0 ? 'warning' : 'ok';
  return { verdict, summary, checks };
}

async function checkKey(deps: DoctorDeps): Promise<DoctorCheck> {
  const base = { area: 'setup' as const, subject: 'encryption key', name: 'encryption key' };
  if (deps.keySource === 'environment')
    return {
      ...base,
      verdict: 'ok',
      detail: 'QUOTAHIT_ENCRYPTION_KEY is set: keep a copy of it outside this machine (a password manager)',
    };
  const file = path.join(deps.dataDir, 'encryption.key');
  const mode = await stat(file).then(
    (s) => s.mode & 0o777,
    () => undefined,
  );
  const fix =
    `copy ${file} to a password manager or secret store, then set QUOTAHIT_ENCRYPTION_KEY to its content ` +
    'in the service environment: without the key, stored account credentials cannot be read';
  if (mode !== undefined && (mode & 0o077) !== 0)
    return {
      ...base,
      verdict: 'failed',
      detail: `${file} can be read by other users (mode ${mode.toString(8)})`,
      fix: `chmod 600 ${file}; then ${fix}`,
    };
  return { ...base, verdict: 'warning', detail: `the key exists only in ${file}`, fix };
}

function checkIdentity(
  name: string,
  workspace: { name: string; postalAddress: string | null; offer: string | null },
): DoctorCheck[] {
  const base = { area: 'workspace' as const, subject: name };
  const patch = (field: string) => `PATCH /v1/workspace {"${field}": …} (README, "First steps")`;
  return [
    workspace.postalAddress
      ? { ...base, name: 'postal address', verdict: 'ok', detail: 'set: it goes in every email footer' }
      : {
          ...base,
          name: 'postal address',
          verdict: 'warning',
          detail: 'not set: commercial email must carry a postal address (CAN-SPAM)',
          fix: patch('postalAddress'),
        },
    workspace.offer
      ? { ...base, name: 'offer', verdict: 'ok', detail: 'set: the writer builds messages around it' }
      : {
          ...base,
          name: 'offer',
          verdict: 'warning',
          detail: 'not set: messages cannot say what you sell',
          fix: patch('offer'),
        },
  ];
}

async function checkAccount(
  deps: DoctorDeps,
  workspaceName: string,
  sender: SenderRow,
  seen: Seen,
): Promise<DoctorCheck[]> {
  const label = sender.name ?? sender.fromEmail ?? sender.fromPhone ?? sender.id;
  const base = { area: 'account' as const, subject: `${label} (${sender.provider}, ${workspaceName})` };
  const checks: DoctorCheck[] = [];
  if (sender.status !== 'active') {
    const resume =
      sender.status === 'disconnected'
        ? 'reconnect the account'
        : `POST /v1/senders/${sender.id}/resume once the cause is fixed`;
    checks.push({
      ...base,
      name: 'status',
      verdict: sender.status === 'paused' ? 'warning' : 'failed',
      detail: `${sender.status}${sender.statusReason ? `: ${sender.statusReason}` : ''}`,
      fix: resume,
    });
  }
  let credentials: ReturnType<typeof openCredentials>;
  try {
    credentials = openCredentials(deps, sender);
  } catch {
    checks.push({
      ...base,
      name: 'credentials',
      verdict: 'failed',
      detail: 'the stored credentials cannot be decrypted with the current encryption key',
      fix: `restore the key they were sealed with (QUOTAHIT_ENCRYPTION_KEY or ${path.join(deps.dataDir, 'encryption.key')}), or enter them again with PATCH /v1/senders/${sender.id}`,
    });
    return checks;
  }
  if (sender.channel === 'email' && sender.fromEmail)
    noteDomain(seen, sender, credentials, label, deps.adapters[sender.provider]?.senderDns);
  const adapter = deps.adapters[sender.provider];
  if (sender.provider === FALLBACK_PROVIDER) {
    checks.push({
      ...base,
      name: 'connection',
      verdict: 'ok',
      detail: 'sandbox: messages are captured here, nothing is sent',
    });
  } else if (!adapter.checkConnection) {
    checks.push({
      ...base,
      name: 'connection',
      verdict: 'warning',
      detail: 'no connection check for this provider yet: its login was not tried',
    });
  } else {
    try {
      const found = await adapter.checkConnection(credentials, {
        signal: AbortSignal.timeout(deps.accountTimeoutMs ?? 15_000),
        account: { fromEmail: sender.fromEmail, fromPhone: sender.fromPhone },
      });
      checks.push(...found.map((c) => ({ ...base, ...c })));
    } catch (error) {
      checks.push({
        ...base,
        name: 'connection',
        verdict: 'failed',
        detail: `the check itself failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  return checks;
}

type Seen = { domains: Map<string, DomainUse>; defaults: Map<string, Set<string>> };

/** Remembers what the account tells about its From domain: DKIM selector and key, SPF include. */
function noteDomain(
  seen: Seen,
  sender: SenderRow,
  adapterPart: Record<string, unknown>,
  label: string,
  dns: SenderDns | undefined,
): void {
  const domain = (sender.fromEmail ?? '').split('@').pop()?.toLowerCase() ?? '';
  if (domain === '') return;
  const use: DomainUse = seen.domains.get(domain) ?? {
    domain,
    selectors: new Map<string, string | null>(),
    spfIncludes: new Set<string>(),
    accounts: [],
  };
  seen.domains.set(domain, use);
  use.accounts.push(label);
  const usual = seen.defaults.get(domain) ?? new Set<string>();
  seen.defaults.set(domain, usual);
  const dkim = dkimOf(adapterPart.dkim);
  if (dkim?.keySelector && dkim.domainName?.toLowerCase() === domain)
    use.selectors.set(dkim.keySelector, dkim.privateKey ?? null);
  const host = typeof adapterPart.host === 'string' ? adapterPart.host.toLowerCase() : '';
  // The provider's own DNS (Gmail's API, Resend), and the usual hosted SMTP servers by host name.
  const expected = [
    dns ?? {},
    /(^|\.)(gmail|googlemail|google)\.com$/.test(host) ? GOOGLE_SMTP : {},
    /(^|\.)(office365|outlook)\.com$/.test(host) ? MICROSOFT_SMTP : {},
  ];
  for (const part of expected) {
    for (const include of part.spfIncludes ?? []) use.spfIncludes.add(include);
    for (const selector of part.dkimSelectors ?? []) usual.add(selector);
  }
}

const GOOGLE_SMTP: SenderDns = { spfIncludes: ['include:_spf.google.com'], dkimSelectors: ['google'] };
const MICROSOFT_SMTP: SenderDns = { spfIncludes: ['include:spf.protection.outlook.com'], dkimSelectors: ['selector1'] };

function dkimOf(value: unknown): { domainName?: string; keySelector?: string; privateKey?: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const text = (key: string) => {
    const v: unknown = Reflect.get(value, key);
    return typeof v === 'string' ? v : undefined;
  };
  return { domainName: text('domainName'), keySelector: text('keySelector'), privateKey: text('privateKey') };
}
