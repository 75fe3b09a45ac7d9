/**
 * Test-only TLS material and byte-stream helpers for the network tests.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Find a fixture from `tests/` (Deno, Bun) or from the built `dist/tests/` (Node). */
function fixture(name: string): string {
  for (const base of ["../fixtures/tls/", "../../../tests/fixtures/tls/"]) {
    const path = fileURLToPath(new URL(base + name, import.meta.url));
    if (existsSync(path)) return readFileSync(path, "utf8");
  }
  throw new Error(`fixture ${name} not found`);
}

/** Self-signed test certificate for localhost, 127.0.0.1 and ::1 (PEM). */
export const TEST_CERT: string = fixture("cert.pem");
/** Its private key (PEM). Test-only: it is public. */
export const TEST_KEY: string = fixture("key.pem");

// The byte-stream helpers are the ones the exported conformance suites use.
export { drain, pump, readText, writeText } from "../../src/testing/_bytes.ts";
