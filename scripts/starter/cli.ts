import { ARCHITECTURES } from '../../lib/app/architectures';
import { createStarter, StarterError } from './create-starter';

/**
 * npm run starter -- <architecture> <directory>
 *
 * Writes a standalone CDK app with one architecture. Errors (an unknown
 * architecture, a directory that is not empty) print one line, write nothing
 * and exit 1.
 */
function usage(): string {
  const width = Math.max(...ARCHITECTURES.map((a) => a.name.length));
  return [
    'Usage: npm run starter -- <architecture> <directory>',
    '',
    'Writes a standalone CDK app with one architecture: its stacks, handlers, site code, tests, the core',
    'files they import, and a package.json with only the dependencies it uses.',
    '',
    'Architectures:',
    ...ARCHITECTURES.map((a) => `  ${a.name.padEnd(width)}  ${a.summary}`),
  ].join('\n');
}

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(usage());
  process.exit(0);
}
if (args.length !== 2) {
  console.error(`${usage()}\n\nExpected an architecture and a directory, got ${args.length} argument(s).`);
  process.exit(1);
}
try {
  const [architecture, directory] = args as [string, string];
  const files = createStarter(architecture, directory);
  console.log(`Wrote ${files.length} files to ${directory}. Next:\n  cd ${directory}\n  npm ci && npx cdk synth\n  npm test`);
} catch (error) {
  if (!(error instanceof StarterError)) throw error;
  console.error(`starter: ${error.message}`);
  process.exit(1);
}
