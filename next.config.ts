import type { NextConfig } from 'next';

/** Headers of every response, static files included (proxy.ts adds the CSP with a nonce to pages). */
const SECURITY_HEADERS = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
];

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and Node-only modules stay outside the server bundle.
  serverExternalPackages: ['@duckdb/node-api', '@duckdb/node-bindings', '@aws-sdk/client-s3'],
  async headers() {
    return [
      { source: '/:path*', headers: SECURITY_HEADERS },
      // Next's static files skip proxy.ts: a CSP that allows nothing (scripts and styles are not documents).
      { source: '/_next/:path*', headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }] },
    ];
  },
};

export default nextConfig;
