/**
 * End to end in a real headless browser: the menu page as deployed (the same
 * build), served locally, sends its events through the real AWS SDK in the
 * browser to a local Kinesis. Two clicks on menu items arrive in the stream
 * with the schema's fields.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { type Browser, chromium } from 'playwright-core';
import { menuPageContentSecurityPolicy } from '../../lib/clickstream/menu-site';
import { startRoleGates, unauthenticatedRole } from '../../scripts/local/iam/role-gates';
import { standInOf } from '../../scripts/local/iam/stand-ins';
import { resourceRules } from '../../scripts/local/iam/template-policies';
import { LocalResources } from '../../scripts/local/intrinsics';
import { resourcesOfType } from '../../scripts/template/template';
import { CognitoIdentityStandIn } from '../../stand-ins/cognito-identity-stand-in';
import { createStream, kinesisClient, readAllRecords, startKinesalite } from '../../stand-ins/kinesis-local';
import { serveMenuSite } from '../../stand-ins/menu-site-server';
import { buildMenuSite } from '../../web/clickstream/build-site';
import { CLICK_EVENT_FIELDS, eventProblems } from '../../web/clickstream/event-schema';
import type { SiteConfig } from '../../web/clickstream/menu-page';
import { sandboxTemplate } from '../helpers/sandbox-templates';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const IDENTITY_POOL = 'us-east-1:00000000-0000-4000-8000-000000000000';

let kinesalite: Awaited<ReturnType<typeof startKinesalite>>;
let kinesis: KinesisClient;
let cognito: CognitoIdentityStandIn;
let visitor: Awaited<ReturnType<typeof startRoleGates>>;
let pageKinesis: string;
let siteDir: string;
let site: Awaited<ReturnType<typeof serveMenuSite>>;
let siteUrl: string;
let browser: Browser;
const streamName = 'menu-clicks';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install it (Debian: apt-get install -y chromium) or run \`bash .ci/run\`, which does.`,
    );
  }
  kinesalite = await startKinesalite();
  kinesis = kinesisClient(kinesalite.endpoint);
  await createStream(kinesis, streamName, 1);
  cognito = new CognitoIdentityStandIn(IDENTITY_POOL);
  const cognitoEndpoint = await cognito.start();
  // The page writes with the credentials of the role the template gives the pool's guests
  // (its trust policy checked for this pool's unauthenticated identities): its calls pass an IAM gate.
  const template = sandboxTemplate('clickstream');
  const resources = new LocalResources('clickstream');
  const [streamId] = resourcesOfType(template, 'AWS::Kinesis::Stream')[0]!;
  resources.set(streamId, standInOf('AWS::Kinesis::Stream', streamName));
  visitor = await startRoleGates(
    template,
    unauthenticatedRole(template, IDENTITY_POOL),
    resources,
    resourceRules(template, resources),
    { kinesis: kinesalite.endpoint },
    'clickstream',
  );
  pageKinesis = visitor.env.AWS_ENDPOINT_URL_KINESIS!;

  siteDir = mkdtempSync(path.join(tmpdir(), 'menu-site-'));
  buildMenuSite(siteDir);
  const config: SiteConfig = {
    region: 'us-east-1',
    identityPoolId: IDENTITY_POOL,
    streamName,
    endpoints: { kinesis: pageKinesis, cognitoIdentity: cognitoEndpoint },
  };
  writeFileSync(path.join(siteDir, 'config.json'), JSON.stringify(config));
  site = await serveMenuSite(
    siteDir,
    // The policy CloudFront sends, with the local endpoints: the page must work under it.
    menuPageContentSecurityPolicy({ kinesis: pageKinesis, cognitoIdentity: cognitoEndpoint }),
  );
  siteUrl = site.url;

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in CI needs --no-sandbox; the rest keeps Chromium off the (closed) network.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  expect(visitor.gates.flatMap((g) => g.denied)).toEqual([]);
  expect(visitor.gates.flatMap((g) => g.allowed).map((a) => a.action)).toContain('kinesis:PutRecords');
  await Promise.all(visitor.gates.map((g) => g.stop()));
  await site?.stop();
  await cognito?.stop();
  kinesis?.destroy();
  await kinesalite?.stop();
  if (siteDir) rmSync(siteDir, { recursive: true, force: true });
});

async function recordsWhen(predicate: (records: Record<string, unknown>[]) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let records: Record<string, unknown>[] = [];
  while (Date.now() < deadline) {
    records = await readAllRecords(kinesis, streamName);
    if (predicate(records)) return records;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return records;
}

test('two clicks on the menu page arrive in the stream as two events with the schema fields', async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });

  await page.goto(siteUrl);
  await page.getByRole('button', { name: /Flat white/ }).click();
  await page.getByRole('button', { name: /Croissant/ }).click();

  const records = await recordsWhen((r) => r.filter((e) => e.event_type === 'menu_item_click').length >= 2);
  const clicks = records.filter((e) => e.event_type === 'menu_item_click');
  expect(clicks.map((c) => [c.menu_item_id, c.menu_section])).toEqual([
    ['flat-white', 'coffee'],
    ['croissant', 'bakery'],
  ]);
  const views = records.filter((e) => e.event_type === 'page_view');
  expect(views).toHaveLength(1);
  for (const event of records) {
    expect(eventProblems(event)).toEqual([]);
    for (const key of Object.keys(event)) expect(Object.keys(CLICK_EVENT_FIELDS)).toContain(key);
    expect(event.session_id).toBe(views[0]!.session_id);
    expect(event.page_path).toBe('/');
  }
  expect(new Set(records.map((e) => e.event_id)).size).toBe(records.length);
  expect(problems).toEqual([]);

  // The page got its credentials the way a deployed page does: Cognito's unauthenticated flow, for this pool.
  expect(cognito.calls.map((c) => c.target)).toEqual([
    'AWSCognitoIdentityService.GetId',
    'AWSCognitoIdentityService.GetCredentialsForIdentity',
  ]);
  expect(cognito.calls[0]!.body).toEqual({ IdentityPoolId: IDENTITY_POOL });

  // The Content-Security-Policy is in force: any other origin is refused.
  const violated = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        document.addEventListener('securitypolicyviolation', (event) => resolve(event.effectiveDirective), { once: true });
        fetch('http://127.0.0.1:1/elsewhere').catch(() => undefined);
      }),
  );
  expect(violated).toBe('connect-src');
  await page.close();
});

test('with the stream unreachable the page still works: clicks are taken, kept, and nothing is thrown', async () => {
  const context = await browser.newContext();
  // The Kinesis endpoint fails every request; the page must not notice.
  await context.route(`${pageKinesis}/**`, (route) => route.abort('connectionrefused'));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));

  await page.goto(siteUrl);
  await page.getByRole('button', { name: /Espresso/ }).click();
  await page.getByRole('button', { name: /Cinnamon bun/ }).click();

  await page.waitForFunction(
    () =>
      ((window as unknown as { coffeeShopTracker?: { stats: { failedRequests: number } } }).coffeeShopTracker?.stats.failedRequests ?? 0) >
      0,
    undefined,
    { timeout: 15_000 },
  );
  const state = await page.evaluate(() => {
    const tracker = (window as unknown as { coffeeShopTracker: { stats: { tracked: number; dropped: number }; pending: number } })
      .coffeeShopTracker;
    return { tracked: tracker.stats.tracked, dropped: tracker.stats.dropped, pending: tracker.pending };
  });
  expect(errors).toEqual([]);
  // The page view and both clicks are still held for a later flush, none dropped.
  expect(state).toEqual({ tracked: 3, dropped: 0, pending: 3 });
  await context.close();
});
