/** Probes until `ok` holds or the time is up, and returns the last value probed (for the test to assert on). */
export async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 250));
    last = await probe();
  }
  return last;
}
