/** The SES emulator (aws-ses-v2-local, in this process): SES v1/v2 SendEmail, mail viewer at `/`, JSON at `/store`. */
import type { Server } from 'node:http';
import * as ses from 'aws-ses-v2-local';

// a CommonJS module with an `exports.default`: under ESM the function sits one level down
const start = ((ses as unknown as { default: { default?: unknown } }).default.default ?? (ses as unknown as { default: unknown }).default) as (config: {
  host: string;
  port: number;
}) => Promise<Server>;

/** Listens on 127.0.0.1 unless `host` says otherwise (the emulator's own default is every interface). */
export async function startMail(port: number, host = '127.0.0.1'): Promise<{ server: Server; endpoint: string }> {
  const server = await start({ host, port });
  return { server, endpoint: `http://127.0.0.1:${port}` };
}
