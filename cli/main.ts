/**
 * `s3ls`: operator commands for a deployed s3-log-shipper stack — status, doctor (the live
 * wiring), dead-letter inspection and redrive, backfill, reship and trace (one file each in `commands/`). Commander parses the arguments
 * (every command has --help, refuses unknown flags); every command takes --json for scripts and
 * exits non-zero when something is wrong (1: needs attention or failed, 2: used wrongly, 130:
 * interrupted).
 */
import { Command, CommanderError } from "commander";
import { registerBackfill } from "./commands/backfill";
import { commandContext, type CliIo } from "./commands/command";
import { registerDlq } from "./commands/dlq";
import { registerDoctor } from "./commands/doctor";
import { registerReship } from "./commands/reship";
import { registerStatus } from "./commands/status";
import { registerTrace } from "./commands/trace";
import { EXIT, UsageError } from "./errors";

export type { CliIo } from "./commands/command";

const processIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  onInterrupt(handler) {
    process.on("SIGINT", handler);
    return () => process.off("SIGINT", handler);
  },
};

/** Runs one command line; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const context = commandContext(io, (code) => (exitCode = code));
  const program = new Command("s3ls")
    .description("Operate a deployed s3-log-shipper stack: status, doctor, dead letters, backfill, reship, trace.")
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  for (const register of [registerStatus, registerDoctor, registerDlq, registerBackfill, registerReship, registerTrace])
    register(program, context);

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are "errors" that exit 0; every other one is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`s3ls: ${error.message}\n`);
      return EXIT.usage;
    }
    const message =
      error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
    io.stderr.write(`s3ls: ${message}\n`);
    return EXIT.attention;
  }
  return exitCode;
}
