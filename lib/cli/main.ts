/**
 * The driftwatch command line: `npm run driftwatch -- <command>` or the `driftwatch` bin.
 * Every failure prints one line that says what to do and exits non-zero.
 */
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { CliError } from './cli-error';
import { COMMANDS, type CommandContext } from './commands';

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`);
  return [
    'usage: driftwatch <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'Every command takes --store DIR|s3://bucket/prefix (else $DRIFTWATCH_STORE, else ./driftwatch-store).',
    'Run `driftwatch <command> --help` for its options.',
  ].join('\n');
}

export async function main(argv: string[], ctx: CommandContext = { log: (l) => console.log(l), error: (l) => console.error(l) }): Promise<number> {
  let [command = 'help', ...rest] = argv;
  // Two-word commands (`reference add`, `labels add`, `quarantine show`, …): any pair that names one.
  if (rest[0] !== undefined && `${command} ${rest[0]}` in COMMANDS) {
    command = `${command} ${rest[0]}`;
    rest = rest.slice(1);
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    ctx.log(usage());
    return 0;
  }
  if (command === 'version' || command === '--version') {
    ctx.log(process.env.npm_package_version ?? '0.1.0');
    return 0;
  }
  const spec = COMMANDS[command];
  if (!spec) {
    ctx.error(`driftwatch: unknown command "${command}"; run \`driftwatch help\` for the list.`);
    return 2;
  }
  try {
    // `alerts ack|silence|assign|note ALERT_ID`: the one positional argument is the --id.
    const { values, positionals } = parseArgs({ args: rest, options: { ...spec.options, help: { type: 'boolean' } }, allowPositionals: command.startsWith('alerts ') && 'id' in spec.options, strict: true });
    if (positionals.length > 1) throw new CliError(`one ALERT_ID, got ${positionals.length} arguments: ${positionals.join(' ')}`);
    if (positionals[0] !== undefined) (values as Record<string, unknown>).id ??= positionals[0];
    if (values.help) {
      ctx.log(`usage: driftwatch ${command} ${spec.usage}\n\n${spec.summary}`);
      return 0;
    }
    return await spec.run(values as Record<string, string | boolean | undefined>, ctx);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof CliError) {
      ctx.error(`driftwatch ${command}: ${message}`);
      return e.exitCode;
    }
    if (e instanceof TypeError && /ERR_PARSE_ARGS/.test(String((e as { code?: string }).code))) {
      ctx.error(`driftwatch ${command}: ${message}; run \`driftwatch ${command} --help\``);
      return 2;
    }
    ctx.error(`driftwatch ${command}: ${message.split('\n')[0]}`);
    if (process.env.DRIFTWATCH_DEBUG) ctx.error(String((e as Error).stack));
    return 1;
  }
}

// Run only as the entry point, not when imported by tests.
if (process.argv[1] && /lib[\\/]cli[\\/]main\.ts$/.test(process.argv[1])) {
  // `npm run driftwatch|demo` runs in the package root; relative paths are the user's, from where they ran it.
  const { INIT_CWD, npm_lifecycle_event: script, npm_package_json: packageJson } = process.env;
  if (INIT_CWD && (script === 'driftwatch' || script === 'demo') && packageJson && dirname(packageJson) === process.cwd()) process.chdir(INIT_CWD);
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(`driftwatch: ${String(e)}`);
      process.exitCode = 1;
    },
  );
}
