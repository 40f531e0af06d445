import { randomUUID } from 'node:crypto';
import { apiCall, expectStatus } from '../api';
import { type Check, expectThat } from '../run-checks';
import type { Smoke } from '../smokes';
import type { SmokeTarget } from '../target';

interface Context {
  readonly target: SmokeTarget;
  /** The item the checks create (and delete again). */
  item?: { id: string; version: number };
}

const newItem = () => ({ name: `Smoke test ${randomUUID().slice(0, 8)}`, category: 'coffee', priceCents: 350 });

const needItem = (context: Context) => {
  if (!context.item) throw new Error('no test item: the create check failed');
  return context.item;
};

/** The menu API's "Try it", as checks: the public read, the signed writes, and the refusals. */
export const serverlessApiChecks: Check<Context>[] = [
  {
    name: 'unsigned GET /menu-items answers 200 with a list',
    readOnly: true,
    async run({ target }) {
      const response = await apiCall(target, { method: 'GET', path: 'menu-items?limit=5', signed: false });
      expectStatus(response, 200, 'GET /menu-items');
      expectThat(Array.isArray((response.body as { items?: unknown }).items), `no items list in ${JSON.stringify(response.body)}`);
    },
  },
  {
    name: 'signed POST /menu-items creates an item (201, version 1)',
    async run(context) {
      const response = await apiCall(context.target, { method: 'POST', path: 'menu-items', body: newItem(), signed: true });
      expectStatus(response, 201, 'POST /menu-items');
      const created = response.body as { id: string; version: number };
      expectThat(created.version === 1, `expected version 1, got ${created.version}`);
      context.item = { id: created.id, version: created.version };
    },
  },
  {
    name: 'GET /menu-items/{id} reads the new item back',
    async run(context) {
      const { id } = needItem(context);
      const response = await apiCall(context.target, { method: 'GET', path: `menu-items/${id}`, signed: false });
      expectStatus(response, 200, `GET /menu-items/${id}`);
      expectThat((response.body as { id: string }).id === id, `read back ${JSON.stringify(response.body)}`);
    },
  },
  {
    name: 'signed PUT with the current version updates it (200, version 2)',
    async run(context) {
      const item = needItem(context);
      const body = { ...newItem(), priceCents: 375, version: item.version };
      const response = await apiCall(context.target, { method: 'PUT', path: `menu-items/${item.id}`, body, signed: true });
      expectStatus(response, 200, 'PUT /menu-items/{id}');
      const updated = response.body as { version: number; priceCents: number };
      expectThat(updated.version === 2 && updated.priceCents === 375, `updated to ${JSON.stringify(updated)}`);
      context.item = { ...item, version: updated.version };
    },
  },
  {
    name: 'PUT with a stale version is refused (409) and changes nothing',
    async run(context) {
      const item = needItem(context);
      const body = { ...newItem(), priceCents: 1, version: 1 };
      const response = await apiCall(context.target, { method: 'PUT', path: `menu-items/${item.id}`, body, signed: true });
      expectStatus(response, 409, 'PUT with version 1');
      const current = await apiCall(context.target, { method: 'GET', path: `menu-items/${item.id}`, signed: false });
      expectThat(
        (current.body as { priceCents: number }).priceCents === 375,
        `the stale write changed the item: ${JSON.stringify(current.body)}`,
      );
    },
  },
  {
    name: 'signed POST with bad input is refused (400)',
    async run({ target }) {
      const response = await apiCall(target, { method: 'POST', path: 'menu-items', body: { ...newItem(), priceCents: -1 }, signed: true });
      expectStatus(response, 400, 'POST with a negative price');
    },
  },
  {
    name: 'unsigned POST is refused (403)',
    readOnly: true,
    async run({ target }) {
      const response = await apiCall(target, { method: 'POST', path: 'menu-items', body: newItem(), signed: false });
      expectStatus(response, 403, 'unsigned POST');
    },
  },
  {
    name: 'signed DELETE removes the item (204, then GET is 404)',
    async run(context) {
      const item = needItem(context);
      const response = await apiCall(context.target, {
        method: 'DELETE',
        path: `menu-items/${item.id}?version=${item.version}`,
        signed: true,
      });
      expectStatus(response, 204, 'DELETE /menu-items/{id}');
      context.item = undefined;
      const gone = await apiCall(context.target, { method: 'GET', path: `menu-items/${item.id}`, signed: false });
      expectStatus(gone, 404, 'GET after DELETE');
    },
  },
];

export const smoke: Smoke = {
  checks: serverlessApiChecks,
  context: (target: SmokeTarget): Context => ({ target }),
  /** Deletes the test item if a check failed before the delete did. */
  async cleanUp(context: Context): Promise<void> {
    if (!context.item) return;
    await apiCall(context.target, { method: 'DELETE', path: `menu-items/${context.item.id}`, signed: true }).catch(() => undefined);
  },
};
