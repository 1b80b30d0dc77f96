import { notFound } from 'next/navigation';
import { ConfigError } from '@/lib/compare/config-file';
import { ApiError } from '@/lib/dashboard/params';

/** Page-level handling of lib/dashboard errors: 404 → the not-found page, others → a message that says what to do. */
export async function loadOrExplain<T>(work: () => Promise<T>): Promise<{ data: T } | { error: string }> {
  try {
    return { data: await work() };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) notFound();
    if (error instanceof ApiError || error instanceof ConfigError) return { error: error.message };
    throw error;
  }
}

export function ErrorBox({ message }: { message: string }) {
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}
