/** What a CLI command writes to; injected so tests can capture output. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly environment: Readonly<Record<string, string | undefined>>;
}

/** A `mixer` subcommand. `run` resolves to the process exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: readonly string[], io: CommandIo): Promise<number>;
}

/** A mistake in how a command was invoked: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

/** The command could not reach what it talks to (Mixer down, wrong address): printed alone, exit code 2. */
export class UnreachableError extends Error {}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
