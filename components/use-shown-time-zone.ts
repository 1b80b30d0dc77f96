'use client';
import { useSyncExternalStore } from 'react';
import { useTimeZone, type TimeZoneMode } from './url-state';

const subscribe = () => () => {};

/**
 * The zone to render times in: the URL's `tz`, but UTC while hydrating, because the server does
 * not know the browser's zone and a mismatch would break hydration; local times appear right after.
 */
export function useShownTimeZone(): TimeZoneMode {
  const tz = useTimeZone();
  const hydrated = useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
  return hydrated ? tz : 'utc';
}
