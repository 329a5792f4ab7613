// IndexedDB's callback requests as promises, for this browser's stores (identity-store.ts, farm/series-store.ts).

/** Resolves with the request's result, or rejects with its error. */
export function idbRequest<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}
