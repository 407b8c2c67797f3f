import type { Summary } from './measure';

/** Number formats shared by the report: one place decides how a figure reads. */

export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function duration(ms: number): string {
  if (ms >= 100_000) {
    return `${Math.round(ms / 1_000).toLocaleString('en-US')} s`;
  }
  if (ms >= 1_000) {
    return `${(ms / 1_000).toFixed(2)} s`;
  }
  return `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

export function mebibytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export function ratio(value: number): string {
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(2)}×`;
}

/** "median (min–max)", or just the median when every run gave the same figure, as shown. */
export function spread(summary: Summary, format: (n: number) => string): string {
  if (format(summary.min) === format(summary.max)) {
    return format(summary.median);
  }
  return `${format(summary.median)} (${format(summary.min)}–${format(summary.max)})`;
}
