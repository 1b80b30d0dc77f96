import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// lib/digest and lib/stats are the pure core: importable from the browser, the CLI,
// the collector and route handlers alike, so they may not touch Node, React, Next or I/O.
const pureCoreRestrictions = {
  patterns: [
    { group: ['node:*'], message: 'The pure core (lib/digest, lib/stats) does no I/O and must not import node:*.' },
    { group: ['react', 'react-dom', 'react/*', 'next', 'next/*'], message: 'The pure core must not import React or Next.js.' },
    { group: ['@/lib/storage', '@/lib/storage/*', '../storage', '../storage/*', '@duckdb/*', '@aws-sdk/*'], message: 'The pure core must not do I/O.' },
  ],
  paths: ['fs', 'path', 'os', 'child_process', 'http', 'https', 'net', 'stream', 'zlib', 'crypto', 'worker_threads'].map((name) => ({
    name,
    message: 'The pure core (lib/digest, lib/stats) does no I/O.',
  })),
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.next/**', 'next-env.d.ts', 'driftwatch-store/**', 'test-artifacts/**', 'public/**', '.cache/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['lib/digest/**/*.ts', 'lib/stats/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', pureCoreRestrictions] },
  },
);
