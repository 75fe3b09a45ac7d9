/**
 * The client commands' progress bar (bytes, rate, time left; per file and, for trees,
 * overall), drawn on a terminal only, and the summary line's byte and rate formatting. Pure:
 * it writes through the function it is given.
 *
 * @module
 */

import { escapeControl } from "./log_format.ts";

/**
 * Bytes in binary units: `512 B`, `1.5 KiB`, `300.0 MiB`.
 *
 * @param n A byte count.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatBytes } from "./progress.ts";
 * formatBytes(1536); // "1.5 KiB"
 * ```
 */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value.toFixed(1)} ${units[i]}`;
}

/**
 * Seconds as `m:ss` (or `h:mm:ss`).
 *
 * @param seconds A duration.
 * @returns The text, `--:--` when unknown.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./progress.ts";
 * formatDuration(75); // "1:15"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * The summary of a finished transfer: bytes, time and rate.
 *
 * @param bytes Bytes moved.
 * @param ms Time taken.
 * @returns E.g. `"300.0 MiB in 5.96 s (50.3 MiB/s)"`.
 *
 * @example
 * ```ts
 * import { formatSummary } from "./progress.ts";
 * formatSummary(2048, 1000); // "2.0 KiB in 1.00 s (2.0 KiB/s)"
 * ```
 */
export function formatSummary(bytes: number, ms: number): string {
  const seconds = Math.max(ms, 1) / 1000;
  return `${formatBytes(bytes)} in ${seconds.toFixed(2)} s (${formatBytes(Math.round(bytes / seconds))}/s)`;
}

/**
 * Options of {@linkcode ProgressBar}.
 *
 * @example
 * ```ts
 * import type { ProgressBarOptions } from "./progress.ts";
 * const options: ProgressBarOptions = { write: (t) => void t, enabled: true };
 * ```
 */
export interface ProgressBarOptions {
  /** Writes raw text to the terminal (standard error), without a newline. */
  readonly write: (text: string) => void;
  /** Draw at all (only on a terminal). */
  readonly enabled: boolean;
  /** Width of the terminal in columns. @default 80 */
  readonly columns?: number | undefined;
  /** Clock in ms. @default performance.now */
  readonly now?: () => number;
  /** Least time between two redraws, in ms. @default 100 */
  readonly interval?: number;
}

/**
 * A one-line progress display that redraws itself with `\r`: the current file's name,
 * a bar, percent, bytes, rate and time left, and for trees the overall count. It draws
 * nothing when disabled (standard error is not a terminal).
 *
 * @example
 * ```ts
 * import { ProgressBar } from "./progress.ts";
 * const bar = new ProgressBar({ write: (t) => void t, enabled: true });
 * bar.update("big.iso", 512, 1024);
 * bar.clear();
 * ```
 */
export class ProgressBar {
  #o: ProgressBarOptions;
  #now: () => number;
  #started: number;
  #fileStarted = 0;
  #file = "";
  #last = -Infinity;
  #drawn = false;
  #doneBytes = 0;
  #doneFiles = 0;
  #totalFiles: number | undefined;
  #totalBytes: number | undefined;

  /**
   * A bar writing through `options.write`.
   *
   * @param options Sink, whether to draw, width, clock.
   */
  constructor(options: ProgressBarOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => performance.now());
    this.#started = this.#now();
  }

  /**
   * Announce a tree: the overall count appears beside the current file.
   *
   * @param files Number of files to transfer.
   * @param bytes Their total size, when known.
   */
  setTotals(files: number, bytes?: number): void {
    this.#totalFiles = files;
    this.#totalBytes = bytes;
  }

  /**
   * Report the progress of a file; redraws at most every `interval` ms (and at 100 %).
   *
   * @param name The file.
   * @param bytes Bytes of it so far.
   * @param total Its size, when known.
   * @param rate The transfer's average rate in bytes/s, when the caller knows it better.
   */
  update(name: string, bytes: number, total?: number, rate?: number): void {
    if (!this.#o.enabled) return;
    const now = this.#now();
    if (name !== this.#file) {
      this.#file = name;
      this.#fileStarted = now;
    }
    const complete = total !== undefined && bytes >= total;
    if (!complete && now - this.#last < (this.#o.interval ?? 100)) return;
    this.#last = now;
    const seconds = Math.max(now - this.#fileStarted, 1) / 1000;
    rate ??= bytes / seconds;
    const parts: string[] = [];
    if (total !== undefined && total > 0) {
      const ratio = Math.min(bytes / total, 1);
      const width = 20;
      const filled = Math.round(ratio * width);
      parts.push(`[${"#".repeat(filled)}${"-".repeat(width - filled)}]`);
      parts.push(`${String(Math.floor(ratio * 100)).padStart(3)}%`);
      parts.push(`${formatBytes(bytes)}/${formatBytes(total)}`);
      parts.push(`${formatBytes(Math.round(rate))}/s`);
      parts.push(`${formatDuration(rate > 0 ? (total - bytes) / rate : NaN)} left`);
    } else {
      parts.push(formatBytes(bytes), `${formatBytes(Math.round(rate))}/s`);
    }
    if (this.#totalFiles !== undefined) {
      const overall = this.#totalBytes
        ? ` ${Math.floor(Math.min((this.#doneBytes + bytes) / this.#totalBytes, 1) * 100)}%`
        : "";
      parts.push(`(file ${Math.min(this.#doneFiles + 1, this.#totalFiles)}/${this.#totalFiles}${overall})`);
    }
    const stats = parts.join("  ");
    const columns = this.#o.columns ?? 80;
    const room = Math.max(columns - stats.length - 3, 8);
    const safe = escapeControl(name);
    const shown = safe.length > room ? "…" + safe.slice(safe.length - room + 1) : safe;
    this.#o.write(`\r\x1b[K${shown}  ${stats}`);
    this.#drawn = true;
  }

  /**
   * Count a finished file towards the overall progress.
   *
   * @param bytes Its size.
   */
  fileDone(bytes: number): void {
    this.#doneFiles++;
    this.#doneBytes += bytes;
  }

  /** Whether the bar draws at all. */
  get enabled(): boolean {
    return this.#o.enabled;
  }

  /** Milliseconds since the bar was made. */
  get elapsed(): number {
    return this.#now() - this.#started;
  }

  /** Erase the line (before a summary or an error is printed). */
  clear(): void {
    if (this.#drawn) this.#o.write("\r\x1b[K");
    this.#drawn = false;
  }
}
