/** A page-level message: what went wrong and, where the message says so, what to do. */
export function ErrorBox({ message }: { message: string }) {
  return (
    <p className="error" role="alert" data-testid="error">
      {message}
    </p>
  );
}
