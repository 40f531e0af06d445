/// <reference lib="dom" />
/**
 * The menu page's script: loads the deployment's config.json, gets temporary
 * credentials for an unauthenticated Cognito identity, and tracks page views
 * and menu-item clicks. Loaded with `defer`; nothing here can break or slow
 * the page: every failure is reported on the console and otherwise ignored.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-provider-cognito-identity';
import type { ClickEvent } from './event-schema';
import { Tracker } from './tracker';

/** config.json, written by the stack at deployment. */
export interface SiteConfig {
  readonly region: string;
  readonly identityPoolId: string;
  readonly streamName: string;
  /** Other service endpoints, as AWS_ENDPOINT_URL_* would give (local runs). @default - the Region's */
  readonly endpoints?: { readonly kinesis?: string; readonly cognitoIdentity?: string };
}

async function start(): Promise<void> {
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = (await response.json()) as SiteConfig;
  const credentials = fromCognitoIdentityPool({
    clientConfig: { region: config.region, ...(config.endpoints?.cognitoIdentity ? { endpoint: config.endpoints.cognitoIdentity } : {}) },
    identityPoolId: config.identityPoolId,
  });
  // The SDK retries throttled and failed requests with exponential backoff; the tracker retries failed records.
  const client = new KinesisClient({
    region: config.region,
    credentials,
    maxAttempts: 3,
    ...(config.endpoints?.kinesis ? { endpoint: config.endpoints.kinesis } : {}),
  });
  const tracker = new Tracker({ client, streamName: config.streamName });

  const sessionId = crypto.randomUUID();
  const common = () => ({
    event_id: crypto.randomUUID(),
    occurred_at: Date.now(),
    session_id: sessionId,
    page_path: location.pathname.slice(0, 512),
    viewport_width: Math.max(0, Math.round(window.innerWidth)),
    ...(document.referrer ? { referrer: document.referrer.slice(0, 512) } : {}),
  });

  tracker.track({ ...common(), event_type: 'page_view' });
  document.addEventListener(
    'click',
    (event) => {
      const item = (event.target as Element | null)?.closest<HTMLElement>('[data-menu-item]');
      if (!item?.dataset.menuItem) return;
      const section = item.closest<HTMLElement>('[data-menu-section]')?.dataset.menuSection;
      const click: ClickEvent = { ...common(), event_type: 'menu_item_click', menu_item_id: item.dataset.menuItem };
      tracker.track(section ? { ...click, menu_section: section } : click);
    },
    { passive: true },
  );
  // Send what is queued when the visitor leaves or switches tabs.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') void tracker.flush();
  });
  (window as unknown as { coffeeShopTracker: Tracker }).coffeeShopTracker = tracker;
}

start().catch((error) => console.warn('[clickstream] tracking is off for this visit', error));
