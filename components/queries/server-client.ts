import 'server-only';
import { cache } from 'react';
import { makeQueryClient } from './query-client';

/** One QueryClient per server request (React's `cache` is scoped to one render). */
export const serverQueryClient = cache(makeQueryClient);
