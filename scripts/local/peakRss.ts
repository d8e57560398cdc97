/**
 * The process's peak resident memory. Not `process.resourceUsage().maxRSS`: on Linux, getrusage's
 * maximum survives execve (the kernel keeps the larger of the old and new image's peaks), so a child
 * forked from a large test runner reports the runner's size. `VmHWM` in /proc/self/status is the
 * peak of this image alone; elsewhere the rusage figure is the fallback.
 */
import { readFileSync } from "node:fs";

export function peakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // Not Linux: fall through.
  }
  return process.resourceUsage().maxRSS * 1024;
}
