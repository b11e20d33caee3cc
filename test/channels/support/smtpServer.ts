// A real SMTP server on loopback (smtp-server): STARTTLS with its built-in self-signed
// certificate, AUTH PLAIN/LOGIN against a user table, per-recipient replies on demand, and every
// accepted message kept raw for the test to parse.
import type { AddressInfo } from 'node:net';
import type { FaultPlan } from '../../fakes/faults.ts';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

export type ReceivedMail = { from: string; to: string[]; raw: Buffer };
export type LocalSmtp = {
  port: number;
  messages: ReceivedMail[];
  /** Reply to RCPT TO for these addresses with this code and text instead of accepting. */
  recipientReplies: Map<string, { code: number; text: string }>;
  authAttempts: number;
  /** Connections opened so far (pooling reuses them). */
  connections: number;
  close(): Promise<void>;
};

export async function startSmtpServer(options: {
  users: Record<string, string>;
  secure?: boolean;
  /** Called with each accepted message before the server answers 250 (a server that files a Sent copy). */
  onAccepted?: (mail: ReceivedMail) => Promise<void>;
  /** Faults injected at RCPT TO (R-provider): an `smtp_reply` answers with its code; a reset drops the connection. */
  faults?: FaultPlan;
}): Promise<LocalSmtp> {
  const messages: ReceivedMail[] = [];
  const recipientReplies = new Map<string, { code: number; text: string }>();
  const state = { authAttempts: 0, connections: 0 };
  const server = new SMTPServer({
    secure: options.secure ?? false,
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onConnect(_session, callback) {
      state.connections += 1;
      callback();
    },
    // The client must STARTTLS before it may log in, like every real submission server.
    allowInsecureAuth: false,
    onAuth(auth, _session, callback) {
      state.authAttempts += 1;
      if (auth.username && options.users[auth.username] === auth.password)
        return callback(null, { user: auth.username });
      callback(new Error('5.7.8 Authentication credentials invalid'));
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback) {
      const fault = options.faults?.take(address.address.toLowerCase());
      const injected = fault?.kind === 'smtp_reply' ? { code: fault.code, text: fault.text } : undefined;
      const reply = injected ?? recipientReplies.get(address.address.toLowerCase());
      if (!reply) return callback();
      callback(Object.assign(new Error(reply.text), { responseCode: reply.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const mail = { from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) };
        messages.push(mail);
        if (!options.onAccepted) return callback();
        options.onAccepted(mail).then(() => callback(), callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // A client that dies mid-session (a killed worker) resets its connection: not the server's failure.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET') throw error;
  });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('smtp-server has no TCP address');
  const port = (address satisfies AddressInfo).port;
  return {
    port,
    messages,
    recipientReplies,
    get authAttempts() {
      return state.authAttempts;
    },
    get connections() {
      return state.connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
