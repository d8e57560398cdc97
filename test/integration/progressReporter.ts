/**
 * Says which integration scenario is running and how long each took, as it happens: scenarios run
 * for up to a minute and a half each, and the default reporter prints a file only when it ends.
 */
import type { Reporter, TestCase } from "vitest/node";

export default class ProgressReporter implements Reporter {
  private readonly started = new Map<string, number>();

  onTestCaseReady(testCase: TestCase): void {
    this.started.set(testCase.id, Date.now());
    process.stderr.write(`▶ ${testCase.fullName}\n`);
  }

  onTestCaseResult(testCase: TestCase): void {
    const seconds = ((Date.now() - (this.started.get(testCase.id) ?? Date.now())) / 1000).toFixed(1);
    const state = testCase.result().state;
    const mark = state === "passed" ? "✓" : state === "failed" ? "✗" : "–";
    process.stderr.write(`${mark} ${testCase.fullName} (${seconds} s)\n`);
  }
}
