import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export interface ReceivedMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** The `invite.ics` attachment, if any. */
  readonly ics: string;
}

/** A real SMTP server on loopback standing in for a tenant's own, with what it received. */
export interface SmtpInbox {
  readonly port: number;
  readonly mails: ReceivedMail[];
  /** While true, every recipient is refused with 550. */
  refuse: boolean;
  close(): Promise<void>;
}

export async function smtpInbox(
  options: { refuse?: boolean; credentials?: { username: string; password: string } } = {},
): Promise<SmtpInbox> {
  const mails: ReceivedMail[] = [];
  const { credentials } = options;
  const inbox = { mails, refuse: options.refuse ?? false } as { mails: ReceivedMail[]; refuse: boolean };
  const server = new SMTPServer({
    authOptional: !credentials,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    ...(credentials && {
      onAuth(auth, _session, callback) {
        if (auth.username === credentials.username && auth.password === credentials.password)
          callback(null, { user: auth.username });
        else callback(new Error('invalid credentials'));
      },
    }),
    disableReverseLookup: true,
    logger: false,
    onRcptTo(_address, _session, callback) {
      callback(inbox.refuse ? Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }) : undefined);
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        const ics = mail.attachments.find((a) => a.filename === 'invite.ics');
        mails.push({
          to: String((mail.to as { text: string }).text),
          subject: mail.subject ?? '',
          text: mail.text ?? '',
          ics: ics ? ics.content.toString('utf8') : '',
        });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return Object.assign(inbox, {
    port: (server.server.address() as { port: number }).port,
    close: () => new Promise<void>((done) => server.close(() => done())),
  });
}
