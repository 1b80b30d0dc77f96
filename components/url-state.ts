'use client';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback } from 'react';

/**
 * View state that a link must carry lives in the URL (docs/api.md lists the parameters):
 * `tz=utc|local`, `sort`/`dir` (model table), `logx=1|0` (feature charts), `tab`, `refresh=0`.
 */
export type TimeZoneMode = 'utc' | 'local';

export function timeZoneOf(value: string | null | undefined): TimeZoneMode {
  return value === 'local' ? 'local' : 'utc';
}

/** The time zone the page shows times in (URL `tz`, default UTC). */
export function useTimeZone(): TimeZoneMode {
  return timeZoneOf(useSearchParams().get('tz'));
}

/** Change some URL parameters (null removes one) and navigate; `replace` keeps history clean for toggles. */
export function useSetUrlParams(): (change: Record<string, string | null>, options?: { replace?: boolean; scroll?: boolean }) => void {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  return useCallback(
    (change, options = {}) => {
      const next = new URLSearchParams(params.toString());
      for (const [k, v] of Object.entries(change)) {
        if (v === null || v === '') next.delete(k);
        else next.set(k, v);
      }
      const url = `${pathname}?${next.toString()}`;
      if (options.replace) router.replace(url, { scroll: options.scroll ?? false });
      else router.push(url, { scroll: options.scroll ?? true });
    },
    [router, pathname, params],
  );
}
