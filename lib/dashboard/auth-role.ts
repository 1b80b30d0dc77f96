/**
 * Role check for routes that change something (h-workflow's stub; h-auth replaces this file with
 * the real check under the same name and signature). Throws ApiError 401/403 when the request may
 * not act in `role`; with no auth configured, as here, everyone may.
 */
export async function requireRole(request: Request, role: 'viewer' | 'editor'): Promise<void> {
  void request;
  void role;
}
