import 'server-only';
import { authStorage, requireRoleIn } from './auth/request';
import { dashboardStoreLocation } from './context';

/**
 * The role check for routes that change things (editor) or only read (viewer): resolves when the
 * request's identity has the role — always when the store has no auth configured — and otherwise
 * throws the API's ApiError with status 401 (no identity) or 403 (a viewer, a share link).
 */
export async function requireRole(request: Request, role: 'viewer' | 'editor'): Promise<void> {
  await requireRoleIn(authStorage(dashboardStoreLocation()), request, role);
}
