/** The browser tracker against a real local Kinesis (kinesalite), with injected partial failures. */
import { randomUUID } from 'node:crypto';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { resourcesOfType } from '../../scripts/template/template';
import { createStream, KinesisFaultProxy, kinesisClient, readAllRecords, startKinesalite } from '../../stand-ins/kinesis-local';
import { CLICK_EVENT_FIELDS, type ClickEvent, eventProblems } from '../../web/clickstream/event-schema';
import { Tracker, type TrackerOptions } from '../../web/clickstream/tracker';
import { type DeployedRole, deployedRole } from '../helpers/deployed-role';
import { sandboxTemplate } from '../helpers/sandbox-templates';

let kinesalite: Awaited<ReturnType<typeof startKinesalite>>;
let admin: KinesisClient;
const proxies: KinesisFaultProxy[] = [];
const clients: KinesisClient[] = [];
const trackers: Tracker[] = [];
const roles: DeployedRole[] = [];
const template = sandboxTemplate('clickstream');
const [streamId] = resourcesOfType(template, 'AWS::Kinesis::Stream')[0]!;
/** The role Cognito hands the menu page's anonymous visitors. */
const [visitorRole] = resourcesOfType(template, 'AWS::IAM::Role').find(([, r]) =>
  JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('cognito-identity.amazonaws.com'),
)!;

beforeAll(async () => {
  kinesalite = await startKinesalite();
  admin = kinesisClient(kinesalite.endpoint);
});

afterAll(async () => {
  await Promise.all(trackers.map((t) => t.close()));
  // Every call the tracker made was one its deployed role allows.
  expect(roles.flatMap((r) => r.denied())).toEqual([]);
  expect(roles.flatMap((r) => r.allowed).length).toBeGreaterThan(0);
  await Promise.all(roles.map((r) => r.stop()));
  await Promise.all(proxies.map((p) => p.stop()));
  for (const client of [admin, ...clients]) client.destroy();
  await kinesalite.stop();
});

function clickEvent(sessionId: string, overrides: Partial<ClickEvent> = {}): ClickEvent {
  return {
    event_id: randomUUID(),
    event_type: 'menu_item_click',
    occurred_at: Date.now(),
    session_id: sessionId,
    page_path: '/menu',
    menu_item_id: 'flat-white',
    menu_section: 'coffee',
    viewport_width: 390,
    ...overrides,
  };
}

/** A stream, a fault proxy in front of kinesalite, and a tracker sending through it. */
async function setup(shouldFail?: (record: { Data: string }) => boolean, options: Partial<TrackerOptions> = {}) {
  const streamName = await createStream(admin, `clicks-${randomUUID()}`);
  const proxy = new KinesisFaultProxy(kinesalite.endpoint, shouldFail);
  proxies.push(proxy);
  // The tracker writes with the visitor role's credentials: every call passes an IAM gate for that role.
  const role = await deployedRole(
    'clickstream',
    template,
    { role: visitorRole },
    {},
    {
      standIns: { [streamId]: streamName },
      upstreams: { kinesis: await proxy.start() },
    },
  );
  roles.push(role);
  const client = kinesisClient(role.env.AWS_ENDPOINT_URL_KINESIS!);
  clients.push(client);
  const warnings: string[] = [];
  const tracker = new Tracker({
    client,
    streamName,
    baseDelayMs: 1,
    maxDelayMs: 10,
    flushIntervalMs: 20,
    warn: (message) => warnings.push(message),
    ...options,
  });
  trackers.push(tracker);
  return { streamName, proxy, tracker, warnings };
}

/** Waits until the tracker has nothing queued and no request in flight. */
async function drained(tracker: Tracker): Promise<void> {
  for (let i = 0; i < 200 && tracker.pending > 0; i += 1) await tracker.flush();
  await tracker.flush();
}

test('events are batched: 250 events go in 3 PutRecords calls of at most 100 records', async () => {
  const { streamName, proxy, tracker } = await setup();
  const session = randomUUID();
  const sent = Array.from({ length: 250 }, () => clickEvent(session));

  for (const event of sent) tracker.track(event);
  await drained(tracker);

  expect(proxy.putRecordsCalls).toBe(3);
  const stored = await readAllRecords(admin, streamName);
  expect(stored.map((r) => r.event_id).sort()).toEqual(sent.map((e) => e.event_id).sort());
});

test('an event waits at most the flush interval for company, then goes alone', async () => {
  const { streamName, tracker } = await setup(undefined, { flushIntervalMs: 30 });
  const event = clickEvent(randomUUID());
  tracker.track(event);
  expect(tracker.pending).toBe(1);

  await new Promise((resolve) => setTimeout(resolve, 300));

  expect(tracker.pending).toBe(0);
  expect((await readAllRecords(admin, streamName)).map((r) => r.event_id)).toEqual([event.event_id]);
});

test('1,200 events with a quarter of the records throttled: only the failed ones are resent, none lost, none duplicated', async () => {
  // Each record is throttled on its first two attempts with probability 1/4 (deterministic by content).
  const attempts = new Map<string, number>();
  const shouldFail = (record: { Data: string }) => {
    const n = (attempts.get(record.Data) ?? 0) + 1;
    attempts.set(record.Data, n);
    return n <= 2 && Buffer.from(record.Data, 'base64').readUInt8(20) % 4 === 0;
  };
  const { streamName, proxy, tracker } = await setup(shouldFail);
  const sessions = Array.from({ length: 30 }, () => randomUUID());
  const sent = Array.from({ length: 1200 }, (_, i) => clickEvent(sessions[i % sessions.length]!));

  // Thirty visitors clicking: bursts of 40 events, 5 ms apart.
  for (let i = 0; i < sent.length; i += 40) {
    for (const event of sent.slice(i, i + 40)) tracker.track(event);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await drained(tracker);

  expect(proxy.withheldRecords).toBeGreaterThan(200);
  expect(tracker.stats.retriedRecords).toBe(proxy.withheldRecords);
  // Resent records only: the calls carried the 1,200 events plus exactly the withheld ones, nothing more.
  expect(proxy.recordsReceived).toBe(1200 + proxy.withheldRecords);
  const stored = await readAllRecords(admin, streamName);
  const ids = stored.map((r) => r.event_id as string);
  expect(ids).toHaveLength(1200);
  expect(new Set(ids).size).toBe(1200);
  expect(new Set(ids)).toEqual(new Set(sent.map((e) => e.event_id)));
  expect(tracker.stats).toMatchObject({ tracked: 1200, sent: 1200, dropped: 0, rejected: 0 });
});

test('whole requests failing (500s beyond the SDK retries) keep the events for the next flush', async () => {
  const { streamName, proxy, tracker, warnings } = await setup();
  // The client makes 3 attempts per call; 4 failures exhaust one call and fail the first attempt of the next.
  proxy.failNextRequests = 4;
  const sent = Array.from({ length: 40 }, () => clickEvent(randomUUID()));

  for (const event of sent) tracker.track(event);
  await tracker.flush();
  expect(tracker.pending).toBe(40);
  expect(warnings).toContain('PutRecords failed; events kept for the next flush');

  await drained(tracker);

  expect(proxy.failedRequests).toBe(4);
  const ids = (await readAllRecords(admin, streamName)).map((r) => r.event_id);
  expect(ids.sort()).toEqual(sent.map((e) => e.event_id).sort());
});

test('records arrive with exactly the schema fields, valid by the schema', async () => {
  const { streamName, tracker } = await setup();
  const session = randomUUID();
  tracker.track({
    ...clickEvent(session),
    event_type: 'page_view',
    menu_item_id: undefined,
    menu_section: undefined,
    referrer: 'https://example.com/',
  });
  tracker.track(clickEvent(session));
  await drained(tracker);

  const stored = await readAllRecords(admin, streamName);
  expect(stored).toHaveLength(2);
  for (const record of stored) {
    expect(eventProblems(record)).toEqual([]);
    for (const key of Object.keys(record)) expect(Object.keys(CLICK_EVENT_FIELDS)).toContain(key);
  }
});

test('track() never throws: an invalid event is refused, counted, and never sent', async () => {
  const { streamName, tracker, warnings } = await setup();
  const bad = { ...clickEvent(randomUUID()), event_type: 'purchase', viewport_width: -1, extra: 'x' } as unknown as ClickEvent;

  expect(() => tracker.track(bad)).not.toThrow();
  await drained(tracker);

  expect(tracker.stats.rejected).toBe(1);
  expect(warnings).toContain('Event refused');
  expect(await readAllRecords(admin, streamName)).toEqual([]);
  expect(eventProblems(bad as unknown as Record<string, unknown>)).toEqual([
    'event_type: expected one of page_view, menu_item_click',
    'viewport_width: expected a non-negative whole number',
    'extra: not a field of the click event',
  ]);
});

test('memory stays bounded when the stream is unreachable: the oldest events are dropped and counted', async () => {
  const client = kinesisClient('http://127.0.0.1:9');
  clients.push(client);
  const tracker = new Tracker({ client, streamName: 'nowhere', maxQueuedEvents: 50, flushIntervalMs: 60_000, warn: () => undefined });
  trackers.push(tracker);
  const session = randomUUID();

  for (let i = 0; i < 80; i += 1) tracker.track(clickEvent(session));
  await tracker.flush();

  expect(tracker.pending).toBe(50);
  expect(tracker.stats.dropped).toBe(30);
  expect(tracker.stats.failedRequests).toBe(1);
});
