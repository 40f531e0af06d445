/**
 * Every command of package.json reads its arguments the same way
 * (scripts/command-line.ts: node:util parseArgs): --help prints its usage
 * and exits 0; an unknown flag or architecture is refused in one line that
 * names the valid ones, exit code 2, before anything is synthesized or
 * called. And --help starts light: it loads no architecture's stack and none
 * of the libraries only a synth needs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ARCHITECTURE_NAMES } from '../../lib/app/architectures';
import { ourCommands } from '../../scripts/command-line';

const ROOT = path.join(__dirname, '..', '..');
const run = promisify(execFile);
/** The commands that are ours (a TypeScript entry point run through the register hook). */
const COMMANDS = ourCommands();

/** Where a command started with `loadedModulesFile` writes the modules it loaded (test/helpers/loaded-modules.cjs). */
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'command-modules-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function invoke(
  entry: string,
  args: readonly string[],
  options: { readonly loadedModulesFile?: string } = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  const probe = options.loadedModulesFile ? ['-r', './test/helpers/loaded-modules.cjs'] : [];
  try {
    const { stdout, stderr } = await run(process.execPath, ['-r', './scripts/register-typescript.cjs', ...probe, entry, ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        AWS_PROFILE: 'none-for-this-test',
        ...(options.loadedModulesFile ? { LOADED_MODULES_FILE: options.loadedModulesFile } : {}),
      },
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { status: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('every command of ours is covered', () => {
  expect(COMMANDS.map(([script]) => script).sort()).toEqual(
    ['bench', 'cost', 'integ', 'local', 'release', 'sandbox', 'smoke', 'starter', 'upgrade-check'].sort(),
  );
});

/**
 * What of `loaded` only adding stacks, calling AWS or comparing templates
 * needs, which a command's start must not load: an architecture's stack
 * module (each loads the aws-cdk-lib constructs it composes;
 * lib/shared/architecture.ts, defineArchitecture), cdk-nag and
 * cdk-monitoring-constructs (about a second of every --help and refused
 * argument), an AWS SDK service client (scripts/aws/deployed-stacks.ts loads
 * them when AWS is called) and the diff engine. Each named once.
 */
function synthOnly(loaded: readonly string[]): string[] {
  const named = loaded.map((file) => {
    const library =
      /[/\\]node_modules[/\\](cdk-nag|cdk-monitoring-constructs|@aws-sdk[/\\]client-[\w-]+|@aws-cdk[/\\]cloudformation-diff)[/\\]/.exec(
        file,
      )?.[1];
    if (library) return library;
    const stackModule = ARCHITECTURE_NAMES.some((name) => file.startsWith(path.join(ROOT, 'lib', name)) && file.endsWith('-stack.ts'));
    return stackModule ? path.relative(ROOT, file) : undefined;
  });
  return [...new Set(named.filter((name) => name !== undefined))];
}

describe.each(COMMANDS)('npm run %s', (script, entry) => {
  test('--help prints the usage and exits 0, having loaded nothing only a synth or an AWS call needs', async () => {
    const loadedModulesFile = path.join(scratch, `${script}.json`);
    const result = await invoke(entry, ['--help'], { loadedModulesFile });
    expect(result).toEqual({ status: 0, stdout: expect.stringMatching(new RegExp(`^Usage: npm run ${script}\\b`)), stderr: '' });
    const loaded = JSON.parse(readFileSync(loadedModulesFile, 'utf8')) as string[];
    expect(loaded).toContain(path.join(ROOT, 'lib', 'app', 'architectures.ts'));
    expect(synthOnly(loaded)).toEqual([]);
  });

  test('an unknown flag is refused in one line naming the valid options', async () => {
    const result = await invoke(entry, ['--bogus']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^Unknown option --bogus \(the options are (--[\w-]+(\/-\w)?, )*--help\/-h\)\n$/);
  });
});

/** The commands that take architecture names, with the arguments around one. */
const TAKING_ARCHITECTURES: readonly (readonly [string, readonly string[]])[] = [
  ['local', ['menu']],
  ['smoke', ['menu']],
  ['integ', ['menu']],
  ['upgrade-check', ['menu']],
  ['sandbox', ['status', 'menu']],
  ['starter', ['menu', '/tmp/never-written']],
];

test.each(TAKING_ARCHITECTURES)(
  'npm run %s: an unknown architecture is refused in one line naming the registered ones',
  async (script, args) => {
    const entry = COMMANDS.find(([name]) => name === script)![1];
    const result = await invoke(entry, args);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`Unknown architecture menu (one of: ${ARCHITECTURE_NAMES.join(', ')})\n`);
  },
);

/** The commands that assume a role with --role-arn (the delivery pipeline's checks), with the arguments around it. */
const TAKING_ROLE_ARN: readonly (readonly [string, readonly string[]])[] = [
  ['smoke', ['serverless-api', '--stage', 'production']],
  ['upgrade-check', ['--stage', 'production', '--deployed']],
];

test.each(TAKING_ROLE_ARN)('npm run %s: a --role-arn that is not an IAM role ARN is refused in one line', async (script, args) => {
  const entry = COMMANDS.find(([name]) => name === script)![1];
  const result = await invoke(entry, [...args, '--role-arn', 'arn:aws:iam::1111:user/ops']);
  expect(result.status).toBe(2);
  expect(result.stderr).toBe(
    '--role-arn takes an IAM role ARN such as arn:aws:iam::111111111111:role/name, not arn:aws:iam::1111:user/ops\n',
  );
});
