import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(mail: Mail): Promise<{ messageId: string }>;
}

/** SES (v2 API). `endpoint` points at the local SES emulator; unset in AWS. */
export function sesMailer(config: { from: string; configurationSet?: string | undefined; endpoint?: string | undefined }): Mailer {
  const client = new SESv2Client({ ...(config.endpoint && { endpoint: config.endpoint }) });
  return {
    async send(mail) {
      const out = await client.send(
        new SendEmailCommand({
          FromEmailAddress: config.from,
          Destination: { ToAddresses: mail.to },
          ...(config.configurationSet && { ConfigurationSetName: config.configurationSet }),
          Content: {
            Simple: {
              Subject: { Data: mail.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html, Charset: 'UTF-8' } },
            },
          },
        }),
      );
      return { messageId: out.MessageId ?? '' };
    },
  };
}
