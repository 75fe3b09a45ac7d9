/**
 * How many replies a {@linkcode Client} has read on its connection, for the
 * {@linkcode ClientPool} (which retries a task on a fresh connection only when the server had
 * answered none of it). Kept out of the public API.
 *
 * @module
 */

/** Each client's reply counter, registered by its constructor. */
export const replyCounters: WeakMap<object, () => number> = new WeakMap();

/**
 * Replies a client has read on its current connection (421 not counted).
 *
 * @param client The client.
 * @returns The count; 0 for an unknown object.
 */
export function repliesRead(client: object): number {
  return replyCounters.get(client)?.() ?? 0;
}
