export type StorageOperation = 'list' | 'read' | 'write' | 'writeIfAbsent' | 'delete' | 'exists' | 'version';

export interface StorageErrorInit {
  operation: StorageOperation;
  /** The key (or, for `list`, the prefix) the operation was given. */
  key: string;
  /** The store's `url`; never carries credentials. */
  url: string;
  /** What went wrong, already free of credentials. */
  detail: string;
  /** The backend's error name or code, e.g. `AccessDenied`, `ENOSPC`. */
  code?: string;
  statusCode?: number;
  cause?: unknown;
}

/**
 * A store operation failed for a reason other than a bad key (StorageKeyError) or a missing
 * object (which is `undefined` / `false`, not an error). The message names the operation, the
 * key and the store; it never contains credentials.
 */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly operation: StorageOperation;
  readonly key: string;
  readonly url: string;
  readonly code: string | undefined;
  readonly statusCode: number | undefined;

  constructor(init: StorageErrorInit) {
    const what = init.operation === 'list' ? `list of prefix ${JSON.stringify(init.key)}` : `${init.operation} of ${JSON.stringify(init.key)}`;
    super(`storage ${what} at ${init.url} failed: ${init.detail}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.operation = init.operation;
    this.key = init.key;
    this.url = init.url;
    this.code = init.code;
    this.statusCode = init.statusCode;
  }
}

/** A store location (`s3://bucket/prefix` or a directory) that cannot be opened as given. */
export class StorageLocationError extends Error {
  override readonly name = 'StorageLocationError';
}
