import { describe, expect, it } from 'vitest';
import { CliError } from '@/lib/cli/cli-error';
import { limitsFlags, parseBytes, parseDurationMs, parseListen, sourcesFlag, sqsFlags } from '@/lib/cli/commands/collect-flags';

describe('collect flags', () => {
  it('reads sizes in SI and binary units', () => {
    expect(parseBytes('8MiB')).toBe(8 * 1024 * 1024);
    expect(parseBytes('1GiB')).toBe(1024 ** 3);
    expect(parseBytes('500kB')).toBe(500_000);
    expect(parseBytes('1.5 KiB')).toBe(1536);
    expect(parseBytes('1048576')).toBe(1_048_576);
    for (const bad of ['', 'lots', '8 MiBs', '-1MiB', '0', '1e3']) expect(parseBytes(bad)).toBeUndefined();
  });

  it('reads durations from milliseconds to days', () => {
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('60s')).toBe(60_000);
    expect(parseDurationMs('5m')).toBe(300_000);
    expect(parseDurationMs('1h')).toBe(3_600_000);
    expect(parseDurationMs('7d')).toBe(7 * 86_400_000);
    for (const bad of ['', '60', '0s', '1.5s', 'soon']) expect(parseDurationMs(bad)).toBeUndefined();
  });

  it('reads listen addresses', () => {
    expect(parseListen(undefined)).toEqual({ host: '127.0.0.1', port: 4318 });
    expect(parseListen('0.0.0.0:80')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(parseListen('[::1]:4318')).toEqual({ host: '::1', port: 4318 });
    expect(parseListen(':0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListen('9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(() => parseListen('localhost:99999')).toThrow(CliError);
    expect(() => parseListen('a:b')).toThrow(/--listen: "a:b" is not HOST:PORT/);
  });

  it('says which flag is wrong and what it expects', () => {
    expect(() => limitsFlags({ 'max-bytes': 'lots' })).toThrow('--max-bytes: "lots" is not a size like 8MiB, 1GiB or 500kB');
    expect(() => limitsFlags({ 'max-age': '60' })).toThrow('--max-age: "60" is not a duration like 500ms, 60s, 5m or 1h');
    expect(() => limitsFlags({ 'max-events': '0' })).toThrow('--max-events must be a whole number ≥ 1, got "0"');
    expect(limitsFlags({})).toEqual({ maxEvents: 10_000, maxBytes: 8 << 20, maxAgeMs: 60_000 });
    expect(() => sourcesFlag({ source: 'http,kafka' })).toThrow('--source: "kafka" is not one of http, redis, sqs');
    expect(sourcesFlag({ source: 'redis, http,redis' })).toEqual(['redis', 'http']);
    expect(() => sqsFlags({}, () => {})).toThrow(/--sqs-queue-url is required/);
    expect(() => sqsFlags({ 'sqs-queue-url': 'u', 'sqs-protocol': 'xml' }, () => {})).toThrow(/--sqs-protocol must be json/);
  });
});
