import { describe, expect, it } from 'vitest';
import { convertProfileState } from '@/lib/migrate/convert-states';
import { groupV1Keys, isV1HourKey } from '@/lib/migrate/v1-keys';

const M = 'models/m';

describe('groupV1Keys', () => {
  it('maps each 1.x hour key to its 2.0 day key, sources in hour order', () => {
    const { targets, hourKeys, unknown } = groupV1Keys('m', [
      `${M}/raw/predictions/hour=2026-12-01T09/b1.parquet`,
      `${M}/raw/predictions/hour=2026-12-01T02/b1.parquet`,
      `${M}/raw/predictions/hour=2026-12-02T00/b1.parquet`,
      `${M}/raw/predictions/hour=2026-12-01T02/b2.ndjson.gz`,
      `${M}/ids/hour=2026-12-01T02/b2.ids.gz`,
      `${M}/profiles/hourly/day=2026-12-01/hour=2026-12-01T02.parquet`,
      `${M}/profiles/6-hourly/day=2026-12-01/hour=2026-12-01T00.parquet`,
      `${M}/profiles/daily/day=2026-12-01.parquet`,
      `${M}/raw/predictions/day=2026-12-01/b1.parquet`,
      `${M}/raw/predictions/hour=2026-12-01T02/notes.txt`,
    ]);
    expect(targets.map((t) => [t.kind, t.key, t.sources.length])).toEqual([
      ['ids', `${M}/ids/day=2026-12-01/b2.ids.gz`, 1],
      ['six-hourly', `${M}/profiles/6-hourly/day=2026-12-01.parquet`, 1],
      ['hourly', `${M}/profiles/hourly/day=2026-12-01.parquet`, 1],
      ['raw-parquet', `${M}/raw/predictions/day=2026-12-01/b1.parquet`, 2],
      ['raw-ndjson', `${M}/raw/predictions/day=2026-12-01/b2.ndjson.gz`, 1],
      ['raw-parquet', `${M}/raw/predictions/day=2026-12-02/b1.parquet`, 1],
    ]);
    expect(targets[3].sources).toEqual([`${M}/raw/predictions/hour=2026-12-01T02/b1.parquet`, `${M}/raw/predictions/hour=2026-12-01T09/b1.parquet`]);
    expect(hourKeys.length).toBe(7);
    expect(unknown).toEqual([`${M}/raw/predictions/hour=2026-12-01T02/notes.txt`]);
  });

  it('never takes a 2.0 key for a 1.x one', () => {
    for (const key of [`${M}/profiles/hourly/day=2026-12-01.parquet`, `${M}/raw/predictions/day=2026-12-01/b.parquet`, `${M}/ids/day=2026-12-01/b.ids.gz`, `${M}/profiles/daily/day=2026-12-01.parquet`]) {
      expect(isV1HourKey('m', key)).toBe(false);
    }
  });
});

describe('convertProfileState', () => {
  const facts = {
    rawByHour: new Map([
      ['2026-12-01T02', ['a.parquet', 'b.ndjson.gz']],
      ['2026-12-01T05', ['a.parquet']],
      ['2026-12-02T01', ['a.parquet']],
      ['2026-12-03T01', ['a.parquet']],
    ]),
    batchesByDay: new Map([
      ['2026-12-01', ['b.ndjson.gz', 'a.parquet']],
      ['2026-12-02', ['a.parquet']],
      ['2026-12-03', ['a.parquet']],
    ]),
    tokens: new Map([
      ['2026-12-01T02', 't1'],
      ['2026-12-01T05', 't2'],
      ['2026-12-02T01', 't3'],
      ['2026-12-03T01', 't4'],
      ['2026-12-04T01', 't5'],
    ]),
  };

  it('keeps the days whose every hour was profiled from exactly its batches', () => {
    const { state, reprofile } = convertProfileState(
      {
        version: 1,
        hours: {
          '2026-12-01T02': ['b.ndjson.gz', 'a.parquet'],
          '2026-12-01T05': ['a.parquet'],
          // A batch arrived after the last profile of this hour.
          '2026-12-02T01': [],
          '2026-12-03T01': ['a.parquet'],
          // Profiled, but its raw data is gone: the day is recomputed, not trusted.
          '2026-12-04T01': ['a.parquet'],
        },
        pending_days: [1796083200000],
      },
      facts,
    );
    expect(state).toEqual({
      version: 2,
      days: {
        '2026-12-01': { batches: ['a.parquet', 'b.ndjson.gz'], hours: { '2026-12-01T02': 't1', '2026-12-01T05': 't2' } },
        '2026-12-03': { batches: ['a.parquet'], hours: { '2026-12-03T01': 't4' } },
      },
      pending_days: [1796083200000],
    });
    expect(reprofile).toEqual(['2026-12-02', '2026-12-04']);
  });

  it('leaves out an hour with raw data that was never profiled, and every day without a 1.x state', () => {
    expect(convertProfileState({ version: 1, hours: {}, pending_days: [] }, facts).reprofile).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
    const noToken = { ...facts, tokens: new Map([['2026-12-01T02', 't1']]) };
    const { state } = convertProfileState({ version: 1, hours: { '2026-12-01T02': ['a.parquet', 'b.ndjson.gz'], '2026-12-01T05': ['a.parquet'] }, pending_days: [] }, noToken);
    expect(state.days).toEqual({});
  });
});
