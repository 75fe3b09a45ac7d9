/**
 * The two FTPS cases where lftp (GnuTLS) exposed the socket adapters, driven against our
 * server on the running runtime's adapter, passive and active:
 * - empty listings: a data connection whose TLS handshake carries 0 payload bytes. Bun's
 *   server-role startTls resolved before the handshake finished, so the server's
 *   half-close cut it (`gnutls_handshake: The TLS connection was non-properly terminated`).
 * - small uploads: lftp closes right after close_notify; a TLS 1.3 session ticket that the
 *   server sent late is still unread then, so lftp's kernel resets the connection and drops
 *   the unsent tail of the file (Deno's node:tls bridge; it now offers TLS 1.2 at most).
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ServerEvent } from "../src/server/mod.ts";
import {
  type InteropServer,
  PASSWORD,
  repoFile,
  runTool,
  sha256File,
  skipUnless,
  startInteropServer,
  TEST_CERT,
  TEST_KEY,
  USER,
  writeRandomFile,
} from "./_support/mod.ts";

const ROUNDS = 5;
const SIZE = 200_000;

describe(
  "lftp over FTPS on this runtime's adapter",
  { skip: skipUnless("lftp", ["--version"]) },
  () => {
    let srv: InteropServer;
    const transfers: { command: string; bytes: number; code: string }[] = [];
    let hash: string;

    before(async () => {
      srv = await startInteropServer({
        label: "net-lftp-ftps",
        serverOptions: {
          tls: { cert: TEST_CERT, key: TEST_KEY },
          onEvent: (event: ServerEvent) => {
            if (event.type === "transfer") {
              transfers.push({ command: event.command, bytes: event.bytes, code: event.code });
            }
          },
        },
      });
      await mkdir(join(srv.root, "empty"));
      hash = await writeRandomFile(join(srv.dir, "up.bin"), SIZE);
    });

    after(async () => {
      await srv?.close();
    });

    /** One lftp session over FTPS with protected data and listings, debug output on. */
    async function lftp(passive: boolean, commands: string[]) {
      const script = [
        "set ftp:ssl-force yes",
        "set ftp:ssl-protect-data yes",
        "set ftp:ssl-protect-list yes",
        `set ssl:ca-file ${repoFile("tests/fixtures/tls/cert.pem")}`,
        `set ftp:passive-mode ${passive ? "on" : "off"}`,
        "set net:max-retries 1",
        "set net:timeout 10",
        `open -u ${USER},${PASSWORD} -p ${srv.port} ${srv.host}`,
        ...commands,
      ].join("; ");
      return await runTool("lftp", ["-d", "-c", script], { cwd: srv.dir, timeoutMs: 120_000 });
    }

    for (const passive of [true, false]) {
      const mode = passive ? "passive" : "active";

      it(`${mode}: ${ROUNDS * 2} listings of an empty directory complete their TLS handshakes`, async () => {
        const commands = Array.from({ length: ROUNDS }, () => ["cls -1 empty/", "ls empty/"])
          .flat();
        const r = await lftp(passive, commands);
        // lftp -d marks TLS failures with "****" (and retries them, so the exit code alone
        // would hide them).
        const failures = (r.out + r.err).split("\n").filter((line) => line.includes("****"));
        assert.deepEqual(failures, [], r.err.slice(-2000));
        assert.equal(r.code, 0, r.err.slice(-2000));
      });

      it(`${mode}: ${ROUNDS} uploads of ${SIZE} bytes arrive whole, each with 226`, async () => {
        transfers.length = 0;
        const names = Array.from({ length: ROUNDS }, (_, i) => `${mode}-${i}.bin`);
        const r = await lftp(passive, names.map((name) => `put up.bin -o ${name}`));
        assert.equal(r.code, 0, r.err.slice(-2000));
        const stores = transfers.filter((t) => t.command === "STOR");
        assert.deepEqual(stores, names.map(() => ({ command: "STOR", bytes: SIZE, code: "226" })));
        for (const name of names) assert.equal(await sha256File(join(srv.root, name)), hash, name);
      });
    }
  },
);
