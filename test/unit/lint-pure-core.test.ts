import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The pure core (lib/digest, lib/stats) must stay importable from the browser and route handlers.
describe('the no-restricted-imports rule on the pure core', () => {
  const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });
  const lint = async (code: string, filePath: string) => {
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  };

  it.each([
    ["import { readFileSync } from 'node:fs';", /must not import node:\*/],
    ["import fs from 'fs';", /does no I\/O/],
    ["import { useState } from 'react';", /must not import React or Next/],
    ["import { NextResponse } from 'next/server';", /must not import React or Next/],
    ["import { DuckDBInstance } from '@duckdb/node-api';", /must not do I\/O/],
  ])('rejects %s in lib/stats', async (code, message) => {
    const messages = await lint(`${code}\nexport const x = 1;\n`, 'lib/stats/new-metric.ts');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(message);
  });

  it('allows lib/digest to be imported from lib/stats, and node:fs outside the core', async () => {
    expect(await lint("import { buildDigest } from '../digest';\nexport const b = buildDigest;\n", 'lib/stats/x.ts')).toEqual([]);
    expect(await lint("import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", 'lib/storage/x.ts')).toEqual([]);
  });
});
