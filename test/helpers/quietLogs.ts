/**
 * Keeps the function's expected log lines (failures a test provokes on purpose) out of the test
 * run's output: captured per test, and printed only when that test fails, where they explain it.
 */
import { afterEach, beforeEach, onTestFailed, vi } from "vitest";

/** Installs the capture for every test of the file that calls it. */
export function captureFunctionLogs(): void {
  let captured: string[] = [];
  beforeEach(() => {
    captured = [];
    const keep = (write: typeof process.stdout.write) =>
      ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
        // Only the function's JSON log lines; anything else passes through.
        if (text.startsWith('{"level"') || text.startsWith('{"_aws"')) {
          captured.push(text);
          return true;
        }
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof process.stdout.write;
    vi.spyOn(process.stdout, "write").mockImplementation(keep(process.stdout.write.bind(process.stdout)));
    vi.spyOn(process.stderr, "write").mockImplementation(keep(process.stderr.write.bind(process.stderr)));
    onTestFailed(() => {
      process.stderr.write(`function log lines of the failed test:\n${captured.join("")}`);
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
}
