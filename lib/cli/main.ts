/**
 * The driftwatch command line: `npm run driftwatch -- <command>` or the `driftwatch` bin.
 * Commands arrive stage by stage (issue #3); unknown ones get a one-line error and exit 2.
 */

const COMMANDS: Record<string, string> = {
  demo: 'generate the fraud-model scenario, ingest, profile, evaluate and open the dashboard (coming with issue #3)',
  help: 'show this help',
  version: 'print the version',
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, text]) => `  ${name.padEnd(10)} ${text}`);
  return ['usage: driftwatch <command> [options]', '', 'commands:', ...lines].join('\n');
}

export function main(argv: string[]): number {
  const [command = 'help'] = argv;
  switch (command) {
    case 'help':
    case '--help':
    case '-h':
      console.log(usage());
      return 0;
    case 'version':
    case '--version':
      console.log(process.env.npm_package_version ?? '0.1.0');
      return 0;
    case 'demo':
      console.log('driftwatch demo: coming with issue #3 (the pipeline). Today: `npm test` runs the numeric core suite.');
      return 0;
    default:
      console.error(`driftwatch: unknown command "${command}"; run \`driftwatch help\` for the list.`);
      return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
