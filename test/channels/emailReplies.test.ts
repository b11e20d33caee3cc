// Inbound mail classification on realistic raw messages: a person's reply, automatic replies by
// each header, RFC 3464 bounces (hard and soft, Postfix and Gmail style) and a prose bounce.
import { describe, expect, it } from 'vitest';
import {
  autoReplyReason,
  candidateMessageIds,
  matchOurMessage,
  ourMessageIdFromHeader,
  parseInboundEmail,
} from '../../src/channels/email/inbound.ts';

const crlf = (lines: string[]) => lines.join('\r\n');

const reply = crlf([
  'Return-Path: <dana@globex.com>',
  'From: Dana Scully <Dana@Globex.com>',
  'To: Sam Rivera <sam@acme.io>',
  'Subject: Re: Reporting at Globex',
  'Date: Tue, 3 Mar 2026 09:12:00 -0500',
  'Message-ID: <CAF=reply-1@mail.gmail.com>',
  'In-Reply-To: <m-2@acme.io>',
  'References: <m-1@acme.io>',
  ' <m-2@acme.io>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset="UTF-8"',
  '',
  'Sure, Thursday works. Send an invite.',
  '',
  'On Mon, Mar 2, 2026 at 10:00 AM Sam Rivera <sam@acme.io> wrote:',
  '> Hi Dana, bumping this one.',
  '',
]);

const outOfOffice = (extra: string[]) =>
  crlf([
    'From: Dana Scully <dana@globex.com>',
    'To: sam@acme.io',
    'Subject: Automatic reply: Reporting at Globex',
    'Message-ID: <ooo-1@globex.com>',
    'In-Reply-To: <m-1@acme.io>',
    ...extra,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'I am out of the office until March 9 with limited access to email.',
    '',
  ]);

const postfixBounce = crlf([
  'Return-Path: <>',
  'From: MAILER-DAEMON@mx.acme.io (Mail Delivery System)',
  'To: sam@acme.io',
  'Subject: Undelivered Mail Returned to Sender',
  'Message-ID: <20260302100005.ABC@mx.acme.io>',
  'Auto-Submitted: auto-replied',
  'MIME-Version: 1.0',
  'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"',
  '',
  '--B1',
  'Content-Type: text/plain; charset=us-ascii',
  '',
  "I'm sorry to have to inform you that your message could not be delivered.",
  '',
  '--B1',
  'Content-Type: message/delivery-status',
  '',
  'Reporting-MTA: dns; mx.acme.io',
  'Arrival-Date: Mon,  2 Mar 2026 10:00:01 +0000',
  '',
  'Final-Recipient: rfc822; dana@globex.com',
  'Original-Recipient: rfc822;dana@globex.com',
  'Action: failed',
  'Status: 5.1.1',
  'Remote-MTA: dns; mx.globex.com',
  'Diagnostic-Code: smtp; 550 5.1.1 <dana@globex.com>: Recipient address rejected:',
  '    User unknown in virtual mailbox table',
  '',
  '--B1',
  'Content-Type: message/rfc822',
  '',
  'From: Sam <sam@acme.io>',
  'To: dana@globex.com',
  'Subject: Reporting at Globex',
  'Message-ID: <m-1@acme.io>',
  '',
  'Hi Dana',
  '',
  '--B1--',
  '',
]);

const gmailSoftBounce = crlf([
  'From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>',
  'To: sam@acme.io',
  'Subject: Delivery Status Notification (Delay)',
  'Auto-Submitted: auto-replied',
  'Content-Type: multipart/report; boundary="G2"; report-type=delivery-status',
  '',
  '--G2',
  'Content-Type: text/plain; charset="UTF-8"',
  '',
  'Message not delivered yet. Gmail will keep trying.',
  '',
  '--G2',
  'Content-Type: message/delivery-status',
  '',
  'Reporting-MTA: dns; googlemail.com',
  '',
  'Final-Recipient: rfc822; full@globex.com',
  'Action: delayed',
  'Status: 4.2.2',
  'Diagnostic-Code: smtp; 452 4.2.2 The email account that you tried to reach is over quota.',
  'Will-Retry-Until: Thu, 05 Mar 2026 10:00:00 -0800 (PST)',
  '',
  '--G2',
  'Content-Type: text/rfc822-headers; charset="UTF-8"',
  '',
  'From: Sam <sam@acme.io>',
  'To: full@globex.com',
  'Message-ID: <m-7@acme.io>',
  'Subject: Reporting at Globex',
  '',
  '--G2--',
  '',
]);

const proseBounce = crlf([
  'From: postmaster@old-host.example',
  'To: sam@acme.io',
  'Subject: failure notice',
  '',
  'Hi. This is the qmail-send program at old-host.example.',
  "I'm afraid I wasn't able to deliver your message to the following addresses.",
  '',
  '<gone@old-host.example>:',
  'Remote host said: 550 5.1.1 mailbox unavailable',
  '',
  '--- Below this line is a copy of the message.',
  '',
  'Message-ID: <m-9@acme.io>',
  'Subject: Reporting',
  '',
]);

describe('parseInboundEmail', () => {
  it("reads a person's reply with its thread headers", async () => {
    const parsed = await parseInboundEmail(Buffer.from(reply));
    expect(parsed).toMatchObject({
      kind: 'reply',
      messageId: '<CAF=reply-1@mail.gmail.com>',
      inReplyTo: '<m-2@acme.io>',
      references: ['<m-1@acme.io>', '<m-2@acme.io>'],
      from: 'dana@globex.com',
      fromName: 'Dana Scully',
      subject: 'Re: Reporting at Globex',
      date: '2026-03-03T14:12:00.000Z',
    });
    expect(parsed.text).toContain('Sure, Thursday works.');
    expect(parsed.headers['in-reply-to']).toBe('<m-2@acme.io>');
    expect(parsed.bounce).toBeUndefined();
  });

  it.each([
    [['Auto-Submitted: auto-replied'], 'Auto-Submitted: auto-replied'],
    [['Auto-Submitted: auto-generated', 'X-Auto-Response-Suppress: All'], 'Auto-Submitted: auto-generated'],
    [['X-Autoreply: yes'], 'X-Autoreply'],
    [['X-Autorespond: Out of office'], 'X-Autorespond'],
    [['X-Auto-Response-Suppress: All'], 'X-Auto-Response-Suppress'],
    [['Precedence: auto_reply'], 'Precedence: auto_reply'],
    [['Precedence: bulk'], 'Precedence: bulk'],
    [['Precedence: junk'], 'Precedence: junk'],
  ])('classifies %j as an automatic reply', async (extra, reason) => {
    const parsed = await parseInboundEmail(outOfOffice(extra));
    expect(parsed.kind).toBe('auto_reply');
    expect(parsed.autoReplyReason).toBe(reason);
    expect(parsed.text).toContain('until March 9');
  });

  it('treats Auto-Submitted: no as a person', async () => {
    expect((await parseInboundEmail(outOfOffice(['Auto-Submitted: no']))).kind).toBe('reply');
    expect(autoReplyReason({ 'auto-submitted': 'No' })).toBeUndefined();
  });

  it('reads a hard bounce report and the original Message-ID', async () => {
    const parsed = await parseInboundEmail(postfixBounce);
    expect(parsed.kind).toBe('bounce');
    expect(parsed.bounce).toEqual({
      type: 'hard',
      recipient: 'dana@globex.com',
      status: '5.1.1',
      action: 'failed',
      diagnostic: '550 5.1.1 <dana@globex.com>: Recipient address rejected: User unknown in virtual mailbox table',
      originalMessageId: '<m-1@acme.io>',
    });
  });

  it('reads a delayed (soft) bounce with only the original headers attached', async () => {
    const parsed = await parseInboundEmail(gmailSoftBounce);
    expect(parsed.bounce).toMatchObject({
      type: 'soft',
      recipient: 'full@globex.com',
      status: '4.2.2',
      action: 'delayed',
      originalMessageId: '<m-7@acme.io>',
    });
  });

  it('recognizes a prose bounce from the postmaster', async () => {
    const parsed = await parseInboundEmail(proseBounce);
    expect(parsed.kind).toBe('bounce');
    expect(parsed.bounce).toMatchObject({
      type: 'hard',
      status: '5.1.1',
      recipient: 'gone@old-host.example',
      originalMessageId: '<m-9@acme.io>',
    });
  });
});

describe('matching mail to our messages', () => {
  it('prefers the bounced original, then In-Reply-To, then the newest reference', async () => {
    const parsedReply = await parseInboundEmail(reply);
    expect(candidateMessageIds(parsedReply)).toEqual(['<m-2@acme.io>', '<m-1@acme.io>']);
    expect(matchOurMessage(parsedReply, new Set(['<m-1@acme.io>', '<m-2@acme.io>']))).toBe('<m-2@acme.io>');
    expect(matchOurMessage(parsedReply, (id) => id === '<m-1@acme.io>')).toBe('<m-1@acme.io>');
    expect(matchOurMessage(parsedReply, new Set(['<other@acme.io>']))).toBeUndefined();
    expect(matchOurMessage(await parseInboundEmail(postfixBounce), new Set(['<m-1@acme.io>']))).toBe('<m-1@acme.io>');
  });

  it('turns our Message-ID back into our message id for our domains only', () => {
    expect(ourMessageIdFromHeader('<0190a1b2-0001@acme.io>', ['ACME.io'])).toBe('0190a1b2-0001');
    expect(ourMessageIdFromHeader('<CAF=reply-1@mail.gmail.com>', ['acme.io'])).toBeUndefined();
    expect(ourMessageIdFromHeader('garbage', ['acme.io'])).toBeUndefined();
  });
});
