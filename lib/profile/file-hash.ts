import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The batch id of an ingested file: a hash of its bytes and of the settings that shape what is
 * stored, so re-ingesting the same file the same way lands on the same keys (and only then).
 */
export async function batchIdOf(path: string, settings: unknown): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  hash.update('\n');
  hash.update(JSON.stringify(settings));
  return hash.digest('hex').slice(0, 20);
}
