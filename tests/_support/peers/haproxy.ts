/**
 * HAProxy (Debian's `haproxy`), the load balancer of the scale-out tests: started in the
 * foreground (`-db`) on a config file, killed on close. Importable without node:test.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { type Closable, disposable } from "../disposable.ts";

/** Where Debian installs it. */
export const HAPROXY = "/usr/sbin/haproxy";

/** A running HAProxy. */
export interface RealHaproxy extends Closable {
  /** Its exit code once it has exited, else null. */
  readonly exitCode: number | null;
  /** Everything it printed so far. */
  output(): string;
}

/**
 * Start HAProxy on `configPath` (the caller waits until its frontends answer).
 *
 * @param configPath The config file.
 * @returns The process; `await using` kills it.
 */
export function startHaproxy(configPath: string): RealHaproxy {
  let log = "";
  const child: ChildProcess = spawn(HAPROXY, ["-db", "-f", configPath], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  return disposable<RealHaproxy>({
    get exitCode() {
      return child.exitCode;
    },
    output: () => log,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  });
}
