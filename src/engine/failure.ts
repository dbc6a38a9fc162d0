/**
 * Where the engine swallows an unexpected failure so that the lint run goes on. With `SOCKET_LEAKS_DEBUG=1` in the
 * environment it rethrows instead, so that the project's own tests see engine bugs rather than missing reports.
 */
export function swallow(error: unknown): void {
  if (process.env.SOCKET_LEAKS_DEBUG === '1') {
    throw error;
  }
}
