// argv → one of the commands. Each command validates everything before it starts anything, and reports
// problems in plain words with a non-zero exit code (context.ts).
import { Command } from 'commander';
import { check } from './check.js';
import { reportFailure } from './context.js';
import { introspect } from './introspect.js';
import { keyCreate } from './key.js';
import { printModelCommand } from './print-model.js';
import { printSchemaCommand } from './print-schema.js';
import { serve } from './serve.js';
import { registerUserCommands } from './user.js';

const CONFIG_HELP =
  'config file (YAML or JSON); default: $JUNCTION_CONFIG, then ./junction.yaml, else the bundled demo';

export function program(): Command {
  const cli = new Command('junction')
    .description(
      'One GraphQL and DreamFactory-compatible REST API over your PostgreSQL, MySQL/MariaDB, SQLite and MongoDB databases.',
    )
    .showHelpAfterError()
    .exitOverride();

  cli
    .command('serve')
    .description('serve the configured databases (the bundled demo when there is no config)')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--host <host>', 'address to listen on (default: server.host, 127.0.0.1)')
    .option('-p, --port <port>', 'port to listen on (default: server.port, 8080)')
    .option(
      '-w, --workers <n>',
      'worker processes sharing the port (default: server.workers, else one per CPU core; 1: no fork)',
    )
    .option('--frozen-cache', 'never introspect at start: fail when a schema cache file is missing or stale')
    .option('--no-cache', 'ignore the schema cache: introspect every database and write nothing')
    .action(run(serve));

  cli
    .command('introspect')
    .description('read the databases and write schema-cache/<service>.json (all services, or those named)')
    .argument('[services...]', 'service names')
    .option('-c, --config <file>', CONFIG_HELP)
    .action(run(introspect));

  cli
    .command('print-model')
    .description('print the model: tables, columns and relations (virtual and cross-database ones marked)')
    .argument('[services...]', 'service names (default: all)')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--relations-only', 'leave out the columns')
    .option('--json', 'print the model as JSON')
    .action(run(printModelCommand));

  cli
    .command('print-schema')
    .description('print the GraphQL schema (SDL) of the configured services')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('-o, --out <file>', 'write the SDL to this file instead of stdout')
    .action(run(printSchemaCommand));

  cli
    .command('check')
    .description('validate the config, connect to each database and report what is wrong')
    .option('-c, --config <file>', CONFIG_HELP)
    .action(run(check));

  const key = cli
    .command('key')
    .description('manage API keys (auth.apps in the config)')
    .showHelpAfterError();
  key
    .command('create')
    .description('print a new random API key once, and the config snippet with its hash (needs no config)')
    .option('--app <name>', 'the app the key is for (default: my-app)')
    .option('--role <name>', 'the role the app runs as, for the snippet (a name from auth.roles)')
    .action(run(keyCreate));

  registerUserCommands(cli, run);
  return cli;
}

function run<A extends unknown[]>(command: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await command(...args);
    } catch (error) {
      reportFailure(error);
    }
  };
}

export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (error) {
    // commander has printed usage errors and help already; only the exit code is left to set.
    const code = (error as { exitCode?: number }).exitCode;
    process.exitCode = typeof code === 'number' ? code : 1;
  }
}
