import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RedisTestServer {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The server's working directory (AOF / RDB files). */
  directory: string;
  /** SHUTDOWN NOSAVE semantics: the process is terminated; the directory is removed unless `keepData`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** SIGKILL the server (a crash), keeping its directory; `restart()` brings it back. */
  kill(): Promise<void>;
  /** Stop the server and start it again on the same port and directory, after `downMs` (outage tests). */
  restart(options?: { downMs?: number }): Promise<void>;
}

export interface RedisServerOptions {
  /** Persist with an append-only file (fsync every write) so a restart keeps the data. */
  appendonly?: boolean;
}

const REDIS_BIN = process.env.DRIFTWATCH_REDIS_SERVER ?? '/usr/bin/redis-server';
const STARTUP_TIMEOUT_MS = 15_000;

/** A free loopback port: bind port 0, read it, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** PING over a raw socket: resolves true on `+PONG`, false on any error or timeout. */
function ping(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

/**
 * Start `redis-server` on 127.0.0.1 with an ephemeral port and a fresh directory; resolves once PING answers.
 * No RDB snapshots; the append-only file only when asked (`appendonly`, fsync always).
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisTestServer> {
  if (!existsSync(REDIS_BIN)) {
    throw new Error(`redis-server not found at ${REDIS_BIN}: install it with \`bash scripts/capture/setup-services.sh\` (or apt-get install redis-server)`);
  }
  const directory = await mkdtemp(path.join(tmpdir(), 'driftwatch-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--save', '', '--daemonize', 'no', '--protected-mode', 'no', '--loglevel', 'warning'];
    args.push('--appendonly', options.appendonly ? 'yes' : 'no');
    if (options.appendonly) args.push('--appendfsync', 'always');
    const proc = spawn(REDIS_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    proc.stdout?.setEncoding('utf8').on('data', (c: string) => (output += c));
    proc.stderr?.setEncoding('utf8').on('data', (c: string) => (output += c));
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    let gone = false;
    void exited.then(() => (gone = true));
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (!(await ping(port))) {
      if (gone) throw new Error(`redis-server exited before answering PING: ${output.trim()}`);
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`redis-server did not answer PING within ${STARTUP_TIMEOUT_MS} ms: ${output.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const halt = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const proc = child;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await launch();
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    directory,
    async stop(stopOptions = {}) {
      await halt();
      if (!stopOptions.keepData) await rm(directory, { recursive: true, force: true });
    },
    kill: () => halt('SIGKILL'),
    async restart(restartOptions = {}) {
      await halt();
      if (restartOptions.downMs) await new Promise((r) => setTimeout(r, restartOptions.downMs));
      await launch();
    },
  };
}
