// Email notifications: a hand-off reaches its assignee by email through the workspace's own SMTP
// account (a real SMTP server on loopback), or through an SMTP account given to the target, once,
// through a temporary refusal; with the contact's link; credentials never echoed back.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSmtpTransports } from '../../src/channels/smtp/transports.ts';
import { seededRandom } from '../../src/core/random.ts';
import { insertMember } from '../../src/db/members.ts';
import { startSmtpServer, type LocalSmtp } from '../channels/support/smtpServer.ts';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import { emailSequence, emailWorld, NO_CAPS, PUBLIC_URL, startDnsServer, zone } from './emailSupport.ts';

let smtp: LocalSmtp;
let dns: LocalDns;
beforeAll(async () => {
  smtp = await startSmtpServer({ users: { 'sam@acme.example': 'app-password', 'alerts@acme.example': 'alerts-pw' } });
  dns = await startDnsServer(zone());
});
afterAll(async () => {
  closeSmtpTransports();
  await smtp.close();
  await dns.close();
});

const smtpAccount = (user: string, pass: string) => ({
  host: '127.0.0.1',
  port: smtp.port,
  secure: false,
  user,
  pass,
  allowSelfSigned: true,
});

async function setup() {
  const w = await emailWorld(dns, { outbound: { random: seededRandom('mail') } });
  const sender = await w.ok('POST', '/v1/senders', {
    channel: 'email',
    provider: 'smtp',
    fromEmail: 'sam@acme.example',
    fromName: 'Sam Rivera',
    smtp: smtpAccount('sam@acme.example', 'app-password'),
    ...NO_CAPS,
  });
  return { w, senderId: sender.id as string };
}

async function interestedReply(w: Awaited<ReturnType<typeof setup>>['w'], email = 'dana@globex.example') {
  const [id] = await w.contactsByEmail([{ email, firstName: 'Dana', company: 'Globex', timezone: 'UTC' }]);
  const sequenceId = await w.sequence(emailSequence(1, { name: `s-${email}` }));
  await w.enroll(sequenceId, [id as string]);
  await w.engine.tick();
  const [message] = await w.messages(`&contactId=${id}`);
  await w.ok('POST', `/v1/messages/${message?.id}/replies`, { body: 'Interested — can we talk Thursday?' });
  return id as string;
}

const mailTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address));

describe('email notifications', () => {
  it("a hand-off is mailed to its assignee through the workspace's own account, once, with the link", async () => {
    const { w, senderId } = await setup();
    await w.db.tenant(w.workspaceId, (sql) =>
      insertMember(sql, {
        workspaceId: w.workspaceId,
        email: 'olga@team.example',
        name: 'Olga',
        role: 'owner',
        passwordHash: 'x',
      }),
    );
    const target = await w.ok('POST', '/v1/integrations/email', { senderId });
    expect(target).toMatchObject({
      kind: 'email',
      senderId,
      fromEmail: 'sam@acme.example',
      events: ['contact.handed_off', 'handoff.reminder'],
    });
    const contactId = await interestedReply(w);
    expect(await w.engine.outbound.deliverDue()).toBe(1);
    expect(await w.engine.outbound.deliverDue()).toBe(0);
    const received = mailTo('olga@team.example');
    expect(received).toHaveLength(1);
    const mail = await simpleParser(received[0]?.raw ?? Buffer.alloc(0));
    const [delivery] = await w.row<{ id: string }>(`SELECT id FROM outbound_deliveries`);
    expect(mail.messageId).toBe(`<notify.${delivery?.id}@acme.example>`);
    expect(mail.from?.text).toBe('"Sam Rivera" <sam@acme.example>');
    expect(mail.subject).toBe('Hand-off: Dana (Globex) replied (interested)');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.text).toContain('Assigned to Olga');
    expect(mail.text).toContain('can we talk Thursday');
    expect(mail.text).toContain(`${PUBLIC_URL}/contacts/${contactId}`);
  });

  it('through an SMTP account of its own, to the fallback address, after a temporary refusal', async () => {
    const { w } = await setup();
    const target = await w.ok('POST', '/v1/integrations/email', {
      smtp: smtpAccount('alerts@acme.example', 'alerts-pw'),
      fromEmail: 'alerts@acme.example',
      fromName: 'QuotaHit',
      to: 'sales@team.example',
    });
    expect(JSON.stringify(target)).not.toContain('alerts-pw');
    expect(JSON.stringify(await w.ok('GET', '/v1/integrations'))).not.toContain('alerts-pw');
    smtp.recipientReplies.set('sales@team.example', { code: 451, text: '4.3.0 try again later' });
    await interestedReply(w, 'erin@initech.example');
    expect(await w.engine.outbound.deliverDue()).toBe(1);
    expect(mailTo('sales@team.example')).toHaveLength(0);
    const [pending] = await w.row<{ status: string; last_error: string; next_attempt_at: Date }>(
      `SELECT status, last_error, next_attempt_at FROM outbound_deliveries`,
    );
    expect(pending).toMatchObject({ status: 'pending', last_error: expect.stringContaining('try again later') });
    smtp.recipientReplies.delete('sales@team.example');
    w.clock.advance((pending?.next_attempt_at.getTime() ?? 0) - w.clock.now().getTime());
    expect(await w.engine.outbound.deliverDue()).toBe(1);
    const received = mailTo('sales@team.example');
    expect(received).toHaveLength(1);
    const mail = await simpleParser(received[0]?.raw ?? Buffer.alloc(0));
    expect(mail.from?.text).toBe('"QuotaHit" <alerts@acme.example>');
    expect(mail.text).toContain('Assigned to nobody yet');
  });

  it('refuses bad email targets precisely', async () => {
    const { w, senderId } = await setup();
    const bad = async (body: unknown, pattern: RegExp) => {
      const res = await w.call('POST', '/v1/integrations/email', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(pattern);
    };
    await bad({}, /either senderId .* or smtp/);
    await bad({ senderId, smtp: smtpAccount('a@acme.example', 'x'), fromEmail: 'a@acme.example' }, /not both/);
    await bad({ senderId: '00000000-0000-4000-8000-000000000000' }, /no sending account with this id/);
    await bad({ senderId: 'nope' }, /must be a UUID/);
    await bad({ senderId, fromEmail: 'x@acme.example' }, /come from the sending account/);
    await bad({ senderId, to: 'not-an-address' }, /to: not an email address/);
    await bad({ smtp: { port: 25 }, fromEmail: 'a@acme.example' }, /smtp: .*host/);
    await bad({ smtp: smtpAccount('a@acme.example', 'x') }, /fromEmail: .*required/);
    await bad({ senderId, events: ['contact.exploded'] }, /must be one of/);
    await bad({ senderId, fromName: 'Evil\r\nBcc: x@y.example' }, /control characters|line breaks/);
    const sms = await w.ok('POST', '/v1/senders', {
      channel: 'sms',
      provider: 'sandbox',
      fromPhone: '+14155550100',
      ...NO_CAPS,
    });
    await bad({ senderId: sms.id }, /not an email account/);
    expect(await w.row(`SELECT 1 FROM outbound_targets`)).toHaveLength(0);
  });
});
