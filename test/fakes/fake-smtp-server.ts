// A real SMTP server in the test process (the `smtp-server` package): it receives what nodemailer
// sends over a real socket and keeps each mail's envelope, subject and decoded text. `stop()` and
// `start()` again on the same port simulate an SMTP outage.
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string | undefined;
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

export class FakeSmtpServer {
  readonly mails: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  private port = 0;
  /** Answered to RCPT TO while set, as a server refusing mail would (e.g. 550). */
  rejectRecipientsWith: number | null = null;

  get running(): boolean {
    return this.server !== undefined;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<string> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.rejectRecipientsWith === null) return callback();
        const error = Object.assign(new Error('mailbox unavailable'), { responseCode: this.rejectRecipientsWith });
        return callback(error);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
            subject: header(raw, 'subject'),
            text: decodeBody(raw),
            raw,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** An unfolded header value (nodemailer folds long ones over several lines). */
function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((candidate) => candidate.toLowerCase().startsWith(`${name}:`));
  return line ? line.slice(name.length + 1).trim() : '';
}

/** The body, quoted-printable decoded when the mail says so (nodemailer uses it for long lines). */
function decodeBody(raw: string): string {
  const separator = raw.search(/\r?\n\r?\n/);
  const body = raw.slice(raw.indexOf('\n', separator + 1) + 1).replace(/^\r?\n/, '');
  if (!/content-transfer-encoding:\s*quoted-printable/i.test(raw.slice(0, separator))) return body.trim();
  return body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .trim();
}
