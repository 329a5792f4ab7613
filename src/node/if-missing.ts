// A file or folder that may not exist yet (a first run): its absence is an answer, any other
// failure (permissions, a bad disk) is still an error.

/** `read`'s result, or `fallback` when it failed because the path does not exist. */
export function ifMissing<T, F>(read: Promise<T>, fallback: F): Promise<T | F> {
  return read.catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return fallback;
    throw error;
  });
}
