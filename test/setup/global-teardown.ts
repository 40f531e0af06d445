/** Stops every backend global-setup started. */
export default async function globalTeardown(): Promise<void> {
  await Promise.all((globalThis.__LOCAL_BACKENDS__ ?? []).map((backend) => backend.stop()));
}
