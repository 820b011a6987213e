import { EXIT_OK, EXIT_USAGE, UnreachableError, UsageError, type Command, type CommandIo } from './command.js';
import { adapterCommand } from './adapter-command.js';
import { checkCommand } from './check-command.js';
import { evalCommand } from './eval-command.js';
import { proxyCommand } from './proxy-command.js';
import { reportCommand } from './report-command.js';
import { serverCommand } from './server-command.js';
import { validateCommand } from './validate-command.js';

/** Every `mixer` subcommand, listed explicitly. */
const COMMANDS: readonly Command[] = [serverCommand, checkCommand, reportCommand, validateCommand, evalCommand, proxyCommand, adapterCommand];

const USAGE = `Usage: mixer COMMAND [options]

Mixer: Istio's policy and telemetry hub, rebuilt on Node.js.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(10)} ${command.summary}`).join('\n')}

Run 'mixer COMMAND --help' for a command's options.`;

export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${USAGE}\n`);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.stderr(`mixer: unknown command '${name}'\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UnreachableError) {
      io.stderr(`mixer ${command.name}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
      io.stderr(`mixer ${command.name}: ${(error as Error).message}\n\n${command.usage}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
