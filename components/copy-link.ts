/**
 * Copy an absolute link to this page with `query` to the clipboard, and return it. A refused
 * clipboard (no permission, plain http) is not an error: the caller still shows the link to select.
 */
export async function copyViewLink(pathname: string, query: URLSearchParams): Promise<string> {
  const url = `${location.origin}${pathname}?${query.toString()}`;
  try {
    await navigator.clipboard.writeText(url);
  } catch {
    // Clipboard refused: the link is still shown and selectable.
  }
  return url;
}
