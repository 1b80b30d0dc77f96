import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../cli-error';
import { openStore } from '../store-context';
import { authConfigured } from '../../dashboard/auth/check';

/**
 * The package root: the Next.js app lives there (app/, .next/). Found upwards from this module,
 * which runs from lib/cli/commands or from the bin's bundle in node_modules/.cache/driftwatch.
 */
const APP_ROOT = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'next.config.ts')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

/** localhost, 127.0.0.0/8 and ::1: reachable only from this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

export interface ServeOptions {
  store: string;
  port: number;
  host: string;
  /** Build even when a build exists (after changing the dashboard's code). */
  rebuild?: boolean;
  /** Serve a non-loopback address with no identity configured (anyone who reaches it reads everything). */
  insecureNoAuth?: boolean;
  log: (line: string) => void;
}

export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new CliError(`--port must be a whole number from 1 to 65535, got "${text}"`);
  return port;
}

/** A local store as an absolute path (the server's working directory is the app); S3 URLs as they are. */
export function serverStoreLocation(store: string): string {
  return store.startsWith('s3://') ? store : resolve(store);
}

/** Run a Node script (`args[0]`) in the app's root until it exits or we are stopped. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolveExit, reject) => {
    const child = spawn(process.execPath, args, { cwd: APP_ROOT, env, stdio: 'inherit' });
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => () => {
      stopping = true;
      child.kill(signal);
    };
    const onInt = stop('SIGINT');
    const onTerm = stop('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      // Stopped by the user (Ctrl-C): success. Killed by anything else (OOM, SIGKILL): failure.
      resolveExit(code ?? (signal && stopping ? 0 : 1));
    });
  });
}

/**
 * Serve the built dashboard for a store: checks the store first (so a wrong path fails here, in
 * one line), builds the app once if there is no build yet, then runs the dashboard server
 * (bin/dashboard-server.mjs: Next.js behind the answer front) until stopped.
 */
export async function serve(options: ServeOptions): Promise<number> {
  const { storage } = await openStore(options.store);
  if (!isLoopback(options.host) && !options.insecureNoAuth && !(await authConfigured(storage))) {
    throw new CliError(`refusing to serve on ${options.host} (not loopback) with no auth configured: anyone who reaches it could read the whole store. Make a token (\`driftwatch token create --name NAME\`), configure auth.proxy_header, or pass --insecure-no-auth`);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', DRIFTWATCH_STORE: serverStoreLocation(options.store) };
  if (options.rebuild || !existsSync(join(APP_ROOT, '.next', 'BUILD_ID'))) {
    options.log('serve: building the dashboard (once; about a minute) …');
    const code = await run([join(APP_ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], env);
    if (code !== 0) throw new CliError(`the dashboard build failed (exit ${code}); see the output above`);
  }
  options.log(`serve: dashboard for ${env.DRIFTWATCH_STORE} on http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${options.port} (Ctrl-C stops it)`);
  return run([join(APP_ROOT, 'bin', 'dashboard-server.mjs'), '--port', String(options.port), '--host', options.host], env);
}
