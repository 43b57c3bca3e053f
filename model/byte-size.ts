/** `512 B`, `23.7 KiB`, `1.2 MiB`: a snapshot's size as `revision list` and `kubectl get apprev` print it. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
