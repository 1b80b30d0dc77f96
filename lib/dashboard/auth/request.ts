import 'server-only';
import { headers } from 'next/headers';
import { openStorage, type Storage } from '../../storage';
import { ApiError } from '../params';
import { AuthFailure, authorize, roleAllows, type Identity } from './check';
import type { Role } from './files';

/** An AuthFailure as the API's error (its status, 401/403/410, carried as is). */
export function authApiError(failure: AuthFailure): ApiError {
  return new ApiError(failure.status, failure.message);
}

/** The current request's headers, or undefined outside a request (scripts, unit tests). */
async function currentHeaders(): Promise<Headers | undefined> {
  try {
    return new Headers(await headers());
  } catch (error) {
    if (error instanceof Error && /outside a request scope/i.test(error.message)) return undefined;
    throw error;
  }
}

/**
 * The data layer's identity check (dashboardContext calls it for every page and route): the
 * headers come from next/headers, so a route cannot forget to pass its request, and a request
 * that skipped proxy.ts (x-middleware-subrequest) is checked all the same.
 */
export async function checkCurrentRequest(storage: Storage): Promise<Identity | undefined> {
  const h = await currentHeaders();
  if (h === undefined) return undefined;
  try {
    return await authorize(storage, h);
  } catch (error) {
    throw error instanceof AuthFailure ? authApiError(error) : error;
  }
}

const storages = new Map<string, Storage>();
export function authStorage(location: string): Storage {
  let s = storages.get(location);
  if (!s) storages.set(location, (s = openStorage(location)));
  return s;
}

/** Throws the API's 401/403 unless the request's identity has `role` (viewer < editor). */
export async function requireRoleIn(storage: Storage, request: Request, role: Role): Promise<Identity> {
  let identity: Identity;
  try {
    identity = await authorize(storage, request.headers);
  } catch (error) {
    throw error instanceof AuthFailure ? authApiError(error) : error;
  }
  if (!roleAllows(identity.role, role)) throw authApiError(new AuthFailure(403, `forbidden: this needs the ${role} role; ${identity.name} is a ${identity.role}`));
  return identity;
}
