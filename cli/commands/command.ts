/**
 * What every command gets from `main.ts`: the stack flags, the stack's outputs and clients, one way
 * to print (text, or JSON with --json), and the exit code to set. Each command file registers
 * itself with `register…(program, context)`, runs, and formats its own report.
 */
import { InvalidArgumentError, type Command } from "commander";
import { operatorClients, type OperatorClients } from "../awsClients";
import { UsageError } from "../errors";
import { loadStackOutputs, type StackOutputs } from "../stackOutputs";

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Registers a Ctrl-C handler; returns its removal. */
  onInterrupt(handler: () => void): () => void;
}

export interface StackFlags {
  stack?: string;
  outputs?: string;
  /** The stack output holding the LogShipper's outputs, where a program exports several. */
  export?: string;
  json?: boolean;
}

export interface CommandContext {
  io: CliIo;
  /** Adds --stack, --outputs and --json to a command. */
  withStack(command: Command): Command;
  /** The stack the flags name, and clients for its region (or its emulator). */
  stackOf(flags: StackFlags): Promise<{ outputs: StackOutputs; clients: OperatorClients }>;
  /** Prints `json` with --json, else `text`. */
  print(flags: StackFlags, json: unknown, text: string): void;
  /** The command line's exit code (EXIT), when the command ends normally. */
  exitWith(code: number): void;
}

export function commandContext(io: CliIo, exitWith: (code: number) => void): CommandContext {
  return {
    io,
    withStack: (command) =>
      command
        .option("--stack <name>", "the Pulumi stack (reads `pulumi stack output --json`)")
        .option("--outputs <file>", "a file holding the stack outputs as JSON instead")
        .option(
          "--export <name>",
          "the stack output holding a LogShipper's outputs (`export const logShipping = shipper.outputs`), where the program exports more than one",
        )
        .option("--json", "print JSON for scripts")
        .exitOverride()
        .showHelpAfterError("(add --help for usage)"),
    async stackOf(flags) {
      const outputs = await loadStackOutputs({
        ...(flags.stack ? { stack: flags.stack } : {}),
        ...(flags.outputs ? { outputs: flags.outputs } : {}),
        ...(flags.export ? { exportName: flags.export } : {}),
      });
      return { outputs, clients: operatorClients(outputs) };
    },
    print: (flags, json, text) => io.stdout.write(flags.json ? `${JSON.stringify(json, null, 2)}\n` : text),
    exitWith,
  };
}

export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError("must be a positive whole number");
  return number;
}

export function date(value: string): Date {
  // A day alone means its start, in UTC.
  const parsed = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(parsed.getTime()))
    throw new InvalidArgumentError("must be a date like 2026-11-01 or 2026-11-01T12:00:00Z");
  return parsed;
}

export function s3Url(value: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(value);
  if (!match) throw new UsageError(`${value} is not an object URL like s3://bucket/key`);
  return { bucket: match[1] as string, key: match[2] as string };
}
