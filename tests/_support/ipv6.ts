/**
 * The one IPv6 availability check of the tests.
 *
 * @module
 */

import { networkInterfaces } from "node:os";
import { IN_CI } from "./tools.ts";

/** Whether this machine has an IPv6 loopback interface (`::1`). */
export const hasIPv6Loopback: boolean = Object.values(networkInterfaces())
  .some((list) => (list ?? []).some((a) => a.address === "::1"));

/**
 * The skip reason for IPv6 tests on a machine without an IPv6 loopback (`::1`), `false` when
 * it has one; under CI a missing one is not skipped (the test then fails).
 */
export const skipIPv6: false | string = hasIPv6Loopback || IN_CI ? false : "no IPv6 loopback (::1) here";
