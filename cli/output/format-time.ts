/**
 * Times and sizes as KubeVela prints them: `2022-04-13 20:45:19` (local time of the machine
 * running the CLI; set `TZ=UTC` for UTC) and `23.7 KiB`.
 */

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `YYYY-MM-DD HH:MM:SS` in local time; `-` for a missing or invalid time. */
export function formatTime(iso: string | undefined): string {
  if (iso === undefined) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '-';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export { formatSize } from '../../model/byte-size.js';

/** `850ms`, `3.2s`, `2m05s`: how long something took. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
}
