import * as path from 'node:path';
import { ARCHITECTURES } from '../../lib/app/architectures';
import { architecturesOf, parseCommandLine, printUsage, runCommand, UsageError } from '../command-line';
import { createStarter, StarterError } from './create-starter';

/**
 * npm run starter -- <architecture> <directory> [--name <Name>]
 *
 * Writes a standalone CDK app with one architecture. Errors (an unknown
 * architecture, a directory that is not empty, a bad name) print one line,
 * write nothing and exit 1.
 */
function usage(): string {
  const width = Math.max(...ARCHITECTURES.map((a) => a.name.length));
  return [
    'Usage: npm run starter -- <architecture> <directory> [--name <Name>]',
    '',
    'Writes a standalone CDK app with one architecture: its stacks, handlers, site code, tests, the core',
    'files they import, the local run, smoke and cost commands, and a package.json with only the',
    'dependencies it uses. A relative directory is taken from where you run npm.',
    '',
    '  --name <Name>  the project name (PascalCase) in place of CoffeeShop: stack names, metric',
    '                 namespaces, the project tag and the database name; docs and tests follow',
    '',
    'Architectures:',
    ...ARCHITECTURES.map((a) => `  ${a.name.padEnd(width)}  ${a.summary}`),
  ].join('\n');
}

function main(): void {
  const parsed = parseCommandLine(process.argv.slice(2), { name: { type: 'string' } });
  if (parsed === 'help') {
    printUsage(usage());
    return;
  }
  if (parsed.positionals.length !== 2)
    throw new UsageError(`Name an architecture and a directory (got ${parsed.positionals.length} argument(s))`);
  const [name, directory] = parsed.positionals as [string, string];
  const [architecture] = architecturesOf([name]);
  try {
    // npm runs a script from the project root; a relative directory is the user's, from where they ran npm.
    const from = process.env.INIT_CWD ?? process.cwd();
    const target = path.resolve(from, directory);
    const files = createStarter(architecture!, target, parsed.values.name === undefined ? {} : { name: parsed.values.name });
    const shown = path.isAbsolute(directory) ? target : path.relative(from, target) || '.';
    console.log(`Wrote ${files.length} files to ${target}. Next:\n  cd ${shown}\n  npm ci && npx cdk synth\n  npm test`);
  } catch (error) {
    if (!(error instanceof StarterError)) throw error;
    console.error(`starter: ${error.message}`);
    process.exit(1);
  }
}

runCommand(main);
