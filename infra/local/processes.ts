/** Child processes of the local stack: started, waited for, and stopped with the stack. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, connect } from 'node:net';

export class LocalSetupError extends Error {
  override name = 'LocalSetupError';
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when something accepts connections on the port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export async function waitForPort(port: number, what: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new LocalSetupError(`${what} exited with code ${child.exitCode} before it was ready`);
    if (await portInUse(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new LocalSetupError(`${what} did not listen on port ${port} within ${timeoutMs / 1000} s`);
}

/** Java 17+ is needed by DynamoDB Local; say what to install if it is missing or too old. */
export function checkJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const hint = 'DynamoDB Local needs a Java 17 or newer JDK: on Debian/Ubuntu `sudo apt-get install -y openjdk-17-jdk-headless`, on macOS `brew install openjdk@17`.';
  if (probe.error || probe.status !== 0) throw new LocalSetupError(`java was not found on PATH. ${hint}`);
  const version = /version "(\d+)(?:\.(\d+))?/.exec(probe.stderr + probe.stdout);
  const major = version ? (Number(version[1]) === 1 ? Number(version[2]) : Number(version[1])) : 0;
  if (major < 17) throw new LocalSetupError(`java ${version?.[1] ?? '?'} is too old. ${hint}`);
}

export function startProcess(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; logPrefix?: string } = {}): ChildProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  // keep the pipes drained; show errors only when asked (BEIAN_DEBUG=1)
  const show = process.env.BEIAN_DEBUG ? (d: Buffer) => process.stderr.write(`${options.logPrefix ?? command}: ${d}`) : () => {};
  child.stdout?.on('data', show);
  child.stderr?.on('data', show);
  return child;
}

export async function stopProcess(child: ChildProcess | undefined, timeoutMs = 5_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}
