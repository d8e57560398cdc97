/**
 * Says which integration scenario is running and how long each took, as it happens: scenarios run
 * for up to a minute and a half each, and the default reporter prints a file only when it ends.
 */
import type { Reporter, TestCase } from "vitest/node";

export default class ProgressReporter implements Reporter {
  onTestCaseReady(testCase: TestCase): void {
    process.stderr.write(`▶ ${testCase.fullName}\n`);
  }

  onTestCaseResult(testCase: TestCase): void {
    // Measured in the worker: the start and end events may reach this process batched together.
    const seconds = ((testCase.diagnostic()?.duration ?? 0) / 1000).toFixed(1);
    const state = testCase.result().state;
    const mark = state === "passed" ? "✓" : state === "failed" ? "✗" : "–";
    process.stderr.write(`${mark} ${testCase.fullName} (${seconds} s)\n`);
  }
}
