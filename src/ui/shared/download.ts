// Saves text the page made (results) as a file, through a link the page clicks itself.
import { RESULT_FILE_TYPES, type ResultFormat } from '../../peer/farm/result-files.ts';

/** Saves `text` as `peerfarm-series-<time>.<format>`, `atMs` naming the series (when it finished). */
export function downloadResults(text: string, format: ResultFormat, atMs: number): void {
  const url = URL.createObjectURL(new Blob([text], { type: RESULT_FILE_TYPES[format] }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `peerfarm-series-${new Date(atMs).toISOString().replace(/[:.]/g, '-')}.${format}`;
  link.click();
  // The click starts the download before this runs; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
