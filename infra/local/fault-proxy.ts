/**
 * A TCP pass-through in front of an emulator, which a test can switch off to make a service briefly
 * unreachable for the functions (connections are reset, as when a network path fails).
 */
import { type Socket, connect, createServer } from 'node:net';

export interface FaultProxy {
  port: number;
  setReachable(reachable: boolean): void;
  close(): Promise<void>;
}

export async function startFaultProxy(targetPort: number, port = 0): Promise<FaultProxy> {
  let reachable = true;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    if (!reachable) return void client.destroy();
    const upstream = connect({ port: targetPort, host: '127.0.0.1' });
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.pipe(upstream).pipe(client);
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    setReachable(value) {
      reachable = value;
      if (!value) for (const s of open) s.destroy();
    },
    close: () => new Promise<void>((r) => (open.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}
