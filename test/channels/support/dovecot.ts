// A real IMAP server on loopback: Debian's Dovecot started with a temporary configuration (a
// passwd-file user, a maildir in a temporary directory with INBOX and a Sent folder marked \Sent,
// plain login without TLS on 127.0.0.1).
// `.ci/run` installs dovecot-imapd; without it the IMAP tests skip locally and fail under CI=true.
import { spawn, spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const DOVECOT = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].find(
  (candidate) => spawnSync(candidate, ['--version']).status === 0,
);

export type LocalImap = {
  port: number;
  user: string;
  pass: string;
  /** Drops a raw message into the user's INBOX (maildir "new"), as delivery would. */
  deliver(raw: string): Promise<void>;
  /** Files a raw message in the user's Sent folder (seen), as a submission server that keeps a copy does. */
  fileSent(raw: string | Buffer): Promise<void>;
  close(): Promise<void>;
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startDovecot(user = 'sam@acme.example', pass = 'imap-password'): Promise<LocalImap> {
  if (!DOVECOT) throw new Error('dovecot is not installed (apt-get install dovecot-imapd)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qh-dovecot-'));
  const port = await freePort();
  const root = process.getuid?.() === 0;
  const owner = root
    ? lookupUser('dovecot')
    : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, name: os.userInfo().username };
  // The auth and mail processes run as the owner: they must be able to enter the directory.
  if (root) await chmod(dir, 0o755);
  const home = path.join(dir, 'home');
  const maildir = path.join(home, 'Maildir');
  // Maildir++: INBOX is the maildir itself, the Sent folder its ".Sent" sub-maildir.
  const sentDir = path.join(maildir, '.Sent');
  const dirs = [maildir, sentDir].flatMap((base) => ['new', 'cur', 'tmp'].map((sub) => path.join(base, sub)));
  for (const d of dirs) await mkdir(d, { recursive: true });
  if (root) for (const p of [home, maildir, sentDir, ...dirs]) await chown(p, owner.uid, owner.gid);
  await writeFile(path.join(dir, 'passwd'), `${user}:{PLAIN}${pass}:${owner.uid}:${owner.gid}::${home}\n`, {
    mode: 0o644,
  });
  const config = path.join(dir, 'dovecot.conf');
  await writeFile(
    config,
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = ${owner.uid}
last_valid_uid = ${owner.uid}
default_internal_user = ${owner.name}
default_login_user = ${owner.name}
${root ? '' : `default_internal_group = ${os.userInfo().username}\n`}mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  mailbox Sent {
    special_use = \\Sent
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`,
  );
  const child = spawn(DOVECOT, ['-F', '-c', config], { stdio: 'ignore' });
  await waitForPort(port);
  let counter = 0;
  return {
    port,
    user,
    pass,
    async deliver(raw) {
      counter += 1;
      const file = path.join(maildir, 'new', `${Date.now()}.${counter}.qh`);
      await writeFile(file, raw.replace(/\r?\n/g, '\n'));
      if (root) await chown(file, owner.uid, owner.gid);
    },
    async fileSent(raw) {
      counter += 1;
      const file = path.join(sentDir, 'cur', `${Date.now()}.${counter}.qh:2,S`);
      await writeFile(file, raw.toString().replace(/\r?\n/g, '\n'));
      if (root) await chown(file, owner.uid, owner.gid);
    },
    async close() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function lookupUser(name: string): { uid: number; gid: number; name: string } {
  const result = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`no "${name}" user for dovecot`);
  return { uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()), name };
}

async function waitForPort(port: number): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`dovecot did not listen on ${port}`);
}
