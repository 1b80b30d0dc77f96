'use client';
import Link from 'next/link';

/** An unexpected error while rendering a page: the server log has the details, never the page. */
export default function PageError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <>
      <h1>Something went wrong</h1>
      <p className="error" role="alert" data-testid="error">
        This page could not be shown: see the dashboard’s server log for the cause.
      </p>
      <p>
        <button type="button" onClick={reset}>
          Try again
        </button>{' '}
        · <Link href="/">All models</Link>
      </p>
    </>
  );
}
