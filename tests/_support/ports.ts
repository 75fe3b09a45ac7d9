/**
 * Free loopback ports of the tests, one place: one port the system picks, or a checked run of
 * consecutive ports (passive ranges, peers' listen ports).
 *
 * @module
 */

import { createServer } from "node:net";

/**
 * A port free on 127.0.0.1 now (the system picks it; bind it soon).
 *
 * @returns The port.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function portFree(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive free ports in 20000–32767 (below Linux's ephemeral range, so that no
 * outgoing connection takes one before it is bound).
 *
 * @param count How many.
 * @returns The ports, ascending.
 * @example
 * ```ts
 * const ports = await freePorts(10); // e.g. a passive range ports[0]-ports[9]
 * ```
 */
export async function freePorts(count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * Math.floor(12000 / count)) * count;
    const ports = Array.from({ length: count }, (_, i) => base + i);
    let ok = true;
    for (const p of ports) if (ok && !(await portFree(p))) ok = false;
    if (ok) return ports;
  }
  throw new Error(`no ${count} free ports below 32768`);
}

