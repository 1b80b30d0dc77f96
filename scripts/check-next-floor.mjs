#!/usr/bin/env node
// CI gate: fail when the installed `next` is below the patched floor of the advisories known when
// this list was last reviewed (2026-12-07). Raise FLOOR and add the advisory when a new one lands.
// Sources: the GitHub advisories as quoted in public upgrade PRs and release notes (ranges as of 2026-12-07).
// Usage: node scripts/check-next-floor.mjs [--version X.Y.Z (check X.Y.Z instead of the installed one)]
import { createRequire } from 'node:module';

/** The newest fix first; FLOOR is the highest `fixed` below (every older advisory is fixed by it too). */
export const ADVISORIES = [
  { id: 'GHSA-xqc2-xf4c-x3h3', cve: 'CVE-2026-126187', fixed: '16.4.1', what: 'RCE in the bundled react-server-dom (React Server Components)' },
  { id: 'GHSA-9qr9-h5gf-34mp', fixed: '16.3.0', what: 'RCE in the React flight protocol (affected up to 16.3.0-preview.10)' },
  { id: 'GHSA-p9j2-gv94-2wf4', cve: 'CVE-2026-64645', fixed: '16.2.11', what: 'high severity, >= 16.0.0 < 16.2.11' },
  { id: 'GHSA-26hh-7cqf-hhc6', fixed: '16.2.6', what: 'middleware/proxy bypass via segment-prefetch routes (May 2026 wave: GHSA-267c-6grr-h53f, GHSA-492v-c6pp-mqqv, GHSA-8h8q-6873-q5fj, …)' },
  { id: 'GHSA-q4gf-8mx6-v5v3', fixed: '16.2.3', what: 'denial of service with Server Components' },
  { id: 'GHSA-h25m-26qc-wcjf', cve: 'CVE-2026-23864', fixed: '16.1.5', what: 'request deserialization DoS with React Server Components' },
  { id: 'CVE-2025-66478', fixed: '16.0.7', what: 'RCE in React Server Components (React2Shell, CVE-2025-55182 upstream)' },
  { id: 'GHSA-f82v-jwr5-mffw', cve: 'CVE-2025-29927', fixed: '15.2.3', what: 'middleware authorization bypass via x-middleware-subrequest' },
];
export const FLOOR = '16.4.1';

/** Compare X.Y.Z[-pre] versions; a prerelease sorts before its release. */
export function compareVersions(a, b) {
  const parse = (v) => {
    const m = /^(\d+)\.(\d+)\.(\d+)(?:-(.+))?$/.exec(v.trim());
    if (!m) throw new Error(`not a version: "${v}"`);
    return { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return x.nums[i] - y.nums[i];
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

function installedNext() {
  const require = createRequire(import.meta.url);
  return require('next/package.json').version;
}

export function checkNextFloor(version) {
  const open = ADVISORIES.filter((a) => compareVersions(version, a.fixed) < 0);
  return { ok: compareVersions(version, FLOOR) >= 0, open };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--version');
  const version = i > 0 ? process.argv[i + 1] : installedNext();
  const { ok, open } = checkNextFloor(version);
  if (ok) {
    console.log(`next ${version} >= ${FLOOR}: patched for ${ADVISORIES.map((a) => a.cve ?? a.id).join(', ')}`);
  } else {
    console.error(`next ${version} is below the patched floor ${FLOOR}; upgrade next (npm install next@^${FLOOR}). Open advisories:`);
    for (const a of open) console.error(`  ${a.id}${a.cve ? ` (${a.cve})` : ''}: ${a.what}; fixed in ${a.fixed}`);
    process.exit(1);
  }
}
