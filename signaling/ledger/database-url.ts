// A PostgreSQL URL as messages and logs show it: never with its password.

/** `postgres://user:secret@host/db` as `postgres://user@host/db`; text that is not a URL as it is. */
export function redactUrl(text: string | URL): string {
  try {
    const url = new URL(text);
    url.password = '';
    return url.toString();
  } catch {
    return String(text);
  }
}
