import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

// The generator must run wherever lib runs (browser, route handler); only the file writer uses Node.
describe('lib/demo imports', () => {
  it('only write-scenario-files.ts imports Node modules', async () => {
    const dir = new URL('../../../lib/demo/', import.meta.url);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
    const importers: string[] = [];
    for (const file of files) {
      const source = await readFile(new URL(file, dir), 'utf8');
      if (/from '(node:|fs|path|stream)/.test(source)) importers.push(file);
    }
    expect(files.length).toBeGreaterThan(5);
    expect(importers).toEqual(['write-scenario-files.ts']);
  });
});
