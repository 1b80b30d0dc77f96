import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  stdout: string;
  wallS: number;
  peakRssMiB: number;
}

/**
 * One command as a whole process under GNU time: wall seconds and peak RSS (the largest of the
 * process and its waited-for children). A non-zero exit is an error carrying the tail of stderr.
 */
export async function measure(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'peers-time-'));
  const timeFile = join(dir, 'time');
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, cmd, ...args], { cwd: opts.cwd, env: opts.env ?? process.env, maxBuffer: 256 * 2 ** 20 }, (err, out, errOut) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')} failed (${err.code ?? err.message}): ${errOut.trim().split('\n').slice(-8).join('\n')}`));
        else resolve(out);
      });
    });
    const [wall, rssKiB] = (await readFile(timeFile, 'utf8')).trim().split('\n').at(-1)!.split(' ').map(Number);
    return { stdout, wallS: wall, peakRssMiB: rssKiB / 1024 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
