import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { LogLevel } from '@temporalio/common';

/**
 * One JSON object per line on stdout (`{"time","level","msg",...meta}`), the format log
 * collectors in a cluster expect; `text` is friendlier in a terminal.
 */
export function formatLogEntry(entry: LogEntry, format: 'json' | 'text'): string {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = Object.fromEntries(
    Object.entries(entry.meta ?? {}).filter(
      ([k, v]) => v !== undefined && k !== 'sdkComponent' && typeof v !== 'function',
    ),
  );
  if (format === 'json') return JSON.stringify({ time, level: entry.level, msg: entry.message, ...meta });
  const extra = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
  return `${time} ${entry.level.padEnd(5)} ${entry.message}${extra}`;
}

/** Installs the process-wide Temporal runtime with Revela's log format. Call once, before any worker. */
export function installRuntimeLogger(level: LogLevel, format: 'json' | 'text'): DefaultLogger {
  const logger = new DefaultLogger(level, (entry) => {
    process.stdout.write(`${formatLogEntry(entry, format)}\n`);
  });
  Runtime.install({ logger });
  return logger;
}
