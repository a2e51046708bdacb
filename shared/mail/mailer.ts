import type { Mail, Mailer } from '../use-cases/notices.ts';

/**
 * SES (v2 API). `endpoint` points at the local SES emulator; unset in AWS. The SES client is loaded at
 * the first mail, so starting a function that may send none costs nothing.
 */
export function sesMailer(config: { from: string; configurationSet?: string | undefined; endpoint?: string | undefined }): Mailer {
  let client: Promise<{ send: (mail: Mail) => Promise<{ messageId: string }> }> | undefined;
  const connect = async () => {
    const { SESv2Client, SendEmailCommand } = await import('@aws-sdk/client-sesv2');
    const ses = new SESv2Client({ ...(config.endpoint && { endpoint: config.endpoint }) });
    return {
      send: async (mail: Mail) => {
        const out = await ses.send(
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
  };
  return {
    async send(mail) {
      client ??= connect();
      return (await client).send(mail);
    },
  };
}
