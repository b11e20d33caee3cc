// quotahit doctor [--workspace W] [--json]: is this installation ready to send? Exit code 1 when a
// check failed, so scripts and health checks can act on it.
import { defaultAdapters } from '../channels/registry.ts';
import { orphanedClusters } from '../db/embeddedFiles.ts';
import { listWorkspaceSummaries } from '../db/lookups.ts';
import { report as summarize, runDoctor, type DoctorCheck, type DoctorReport } from '../engine/commands/doctor.ts';
import { dnsResolver } from '../engine/commands/doctorDns.ts';
import { printJson, say } from './args.ts';
import { resolveWorkspace, withDatabase } from './session.ts';

export async function doctorCommand(options: { workspace?: string; json?: boolean }): Promise<void> {
  const result = await withDatabase(async (database, cfg) => {
    const workspaceIds = options.workspace
      ? [(await resolveWorkspace(database, options.workspace)).id]
      : (await listWorkspaceSummaries(database.db)).map((w) => w.id);
    const found = await runDoctor(
      {
        db: database.db,
        adapters: defaultAdapters(),
        encryptionKey: database.encryptionKey,
        previousEncryptionKeys: database.previousEncryptionKeys,
        keySource: database.encryptionKeySource,
        dataDir: cfg.dataDir,
        publicUrl: cfg.publicUrl,
        trackingBaseUrl: cfg.email.trackingBaseUrl ?? cfg.publicUrl,
        dkimSelectors: cfg.dkimSelectors,
        resolver: dnsResolver(cfg.dnsServers),
      },
      { workspaceIds },
    );
    const leftovers: DoctorCheck[] = (database.embedded ? await orphanedClusters() : []).map((orphan) => ({
      area: 'setup',
      subject: orphan.dir,
      name: 'leftover embedded database',
      verdict: 'warning',
      detail: `${orphan.dir}: ${orphan.reason}`,
      fix: `rm -rf ${orphan.dir} (after copying anything you still need)`,
    }));
    return summarize([...found.checks, ...leftovers]);
  });
  if (options.json) printJson(result);
  else printReport(result);
  if (result.verdict === 'failed') process.exitCode = 1;
}

const MARK = { ok: '[ok]     ', warning: '[warning]', failed: '[FAILED] ' } as const;
const TITLE = { setup: 'Setup', workspace: 'Workspace', account: 'Account', domain: 'Domain', tracking: 'Tracking' };

function printReport(result: DoctorReport): void {
  let heading = '';
  for (const check of result.checks) {
    const next = check.area === 'setup' ? TITLE.setup : `${TITLE[check.area]} ${check.subject}`;
    if (next !== heading) {
      say(heading === '' ? next : `\n${next}`);
      heading = next;
    }
    say(`  ${MARK[check.verdict]} ${check.name}: ${check.detail}`);
    if (check.fix && check.verdict !== 'ok') say(`            → ${check.fix}`);
  }
  const { ok, warning, failed } = result.summary;
  say(`\n${ok} ok, ${warning} warning${warning === 1 ? '' : 's'}, ${failed} failed`);
}
