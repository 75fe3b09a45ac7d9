/**
 * The value {@linkcode Client.list} returns: await it for an array, or iterate it.
 *
 * @module
 */

import type { RemoteEntry } from "./options.ts";

/**
 * A directory listing in progress: both a promise-like (all entries as an array) and an
 * async iterable (entries as they are listed, directory by directory).
 *
 * @example
 * ```ts
 * import { Client } from "anyftp";
 * await using client = await Client.connect("ftp://127.0.0.1:2121");
 * const all = await client.list("/pub");
 * for await (const entry of client.list("/pub", { recursive: true })) console.log(entry.path);
 * ```
 */
export class ListResult implements AsyncIterable<RemoteEntry>, PromiseLike<RemoteEntry[]> {
  #source: () => AsyncGenerator<RemoteEntry>;

  /**
   * Wrap a listing; {@linkcode Client.list} makes these.
   *
   * @param source Makes a fresh generator of the entries (one per iteration or await).
   */
  constructor(source: () => AsyncGenerator<RemoteEntry>) {
    this.#source = source;
  }

  /**
   * Iterate the entries.
   *
   * @returns An async iterator; each call starts a new listing.
   */
  [Symbol.asyncIterator](): AsyncIterator<RemoteEntry> {
    return this.#source();
  }

  /**
   * Collect every entry (makes the listing awaitable).
   *
   * @param onfulfilled Called with the entries.
   * @param onrejected Called with the error.
   * @returns A promise of the callback's result.
   */
  then<A = RemoteEntry[], B = never>(
    onfulfilled?: ((value: RemoteEntry[]) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.toArray().then(onfulfilled, onrejected);
  }

  /**
   * Collect every entry.
   *
   * @returns The entries.
   */
  async toArray(): Promise<RemoteEntry[]> {
    const out: RemoteEntry[] = [];
    for await (const e of this.#source()) out.push(e);
    return out;
  }
}
