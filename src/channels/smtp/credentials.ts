// An SMTP account as stored (encrypted): the server to send through, an optional DKIM key, and the
// IMAP mailbox read for replies and bounces (optional; without it nothing is polled). `user` and
// `pass` are optional for relays that authenticate by IP address.
import { z } from 'zod';

export const DkimKey = z.strictObject({
  domainName: z.string().min(1).max(253),
  keySelector: z.string().min(1).max(63),
  privateKey: z.string().min(1).max(10_000),
});

export const ImapSettings = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  secure: z.boolean(),
  user: z.string().min(1).max(320),
  pass: z.string().min(1).max(1000),
  allowSelfSigned: z.boolean().optional(),
  mailbox: z.string().min(1).max(200).optional(),
  /** Where the server files what it sends (crash recovery looks there); default: the folder marked \Sent. */
  sentMailbox: z.string().min(1).max(200).optional(),
});
export type ImapSettings = z.infer<typeof ImapSettings>;

export const SmtpCredentials = z
  .strictObject({
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535),
    /** Implicit TLS (port 465). Otherwise STARTTLS is required unless requireTls is false. */
    secure: z.boolean(),
    user: z.string().min(1).max(320).optional(),
    pass: z.string().min(1).max(1000).optional(),
    requireTls: z.boolean().optional(),
    /** Accept a self-signed server certificate (your own server, tests). */
    allowSelfSigned: z.boolean().optional(),
    dkim: DkimKey.optional(),
    imap: ImapSettings.optional(),
  })
  .refine((c) => (c.user === undefined) === (c.pass === undefined), {
    message: 'give both user and pass, or neither (a relay that authenticates by IP address)',
    path: ['pass'],
  });
export type SmtpCredentials = z.infer<typeof SmtpCredentials>;
