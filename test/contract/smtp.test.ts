// SMTP against a real SMTP server on loopback (smtp-server), and its IMAP mailbox against Debian's
// Dovecot: per-recipient refusals, login failures, an unreachable server, temporary replies, no
// lookup (an unknown fate is marked unknown), and the mailbox read from its stored UID.
import { afterAll, beforeAll } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import { closeSmtpTransports } from '../../src/channels/smtp/transports.ts';
import { DOVECOT, startDovecot, type LocalImap } from '../channels/support/dovecot.ts';
import { startSmtpServer, type LocalSmtp } from '../channels/support/smtpServer.ts';
import { adapterContract } from './adapterContract.ts';
import { emailMessage } from './messages.ts';

let smtp: LocalSmtp;
let imap: LocalImap | undefined;
beforeAll(async () => {
  smtp = await startSmtpServer({ users: { 'sam@acme.example': 'app-password' } });
  if (DOVECOT || process.env.CI) imap = await startDovecot('sam@acme.example', 'imap-password');
});
afterAll(async () => {
  closeSmtpTransports();
  await smtp.close();
  await imap?.close();
});

const credentials = () => ({
  host: '127.0.0.1',
  port: smtp.port,
  secure: false,
  user: 'sam@acme.example',
  pass: 'app-password',
  allowSelfSigned: true,
  ...(imap ? { imap: { host: '127.0.0.1', port: imap.port, secure: false, user: imap.user, pass: imap.pass } } : {}),
});

adapterContract({
  provider: 'smtp',
  adapter: defaultAdapters().smtp,
  setup: async () => ({ credentials: credentials(), accepted: () => smtp.messages.length }),
  message: emailMessage,
  failures: [
    {
      kind: 'invalid_recipient',
      arrange: () => void smtp.recipientReplies.set('gone@globex.example', { code: 550, text: '5.1.1 no such user' }),
      message: (base) => ({ ...base, to: { email: 'gone@globex.example' } }),
    },
    {
      kind: 'temporary',
      arrange: () => void smtp.recipientReplies.set('busy@globex.example', { code: 451, text: '4.7.1 try later' }),
      message: (base) => ({ ...base, to: { email: 'busy@globex.example' } }),
    },
    { kind: 'auth_expired', arrange: () => ({ ...credentials(), pass: 'wrong-password' }) },
    { kind: 'provider_down', arrange: () => ({ ...credentials(), port: 1 }) },
  ],
  lookup: { sent: 'unsupported', unknown: 'unsupported' },
  ...(DOVECOT || process.env.CI
    ? {
        poll: {
          count: 3,
          seed: async (_world, count) => {
            for (let n = 0; n < count; n++)
              await imap?.deliver(
                `From: dana@globex.example\r\nTo: sam@acme.example\r\nSubject: Re: Hello\r\nMessage-ID: <r${n}.${Date.now()}@globex.example>\r\n\r\nYes (${n}).\r\n`,
              );
          },
        },
      }
    : {}),
});
