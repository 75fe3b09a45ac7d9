/**
 * Child-process plumbing of the peer launchers: wait until a peer listens, stop it.
 *
 * @module
 */

import type { ChildProcess } from "node:child_process";
import { Socket } from "node:net";

/** Resolve once `child` accepts on 127.0.0.1:`port` (bounded: 100 tries 50 ms apart). */
export function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let tries = 0;
    const attempt = () => {
      if (child.exitCode !== null) {
        return reject(new Error(`${what} exited with ${child.exitCode}`));
      }
      const sock = new Socket();
      sock.once("connect", () => {
        sock.destroy();
        resolve();
      });
      sock.once("error", () => {
        sock.destroy();
        if (++tries > 100) reject(new Error(`${what} did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
      sock.connect(port, "127.0.0.1");
    };
    attempt();
  });
}

/** Stop `child`: SIGTERM, then SIGKILL after 3 s; resolves once it exited. */
export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
