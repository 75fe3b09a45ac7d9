/**
 * A bounded, seeded fuzz of the server's control channel: random and mutated command lines
 * (junk verbs, every real verb with hostile arguments, binary bytes, Telnet IAC, control
 * characters, overlong and unterminated lines) over a few concurrent sessions, logged in or
 * not. Afterwards the server must have reported no error, hold no socket, and still serve a
 * normal client. `FUZZ_SEED` and `FUZZ_LINES` change the run (defaults: 1 and 600 lines).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../src/client/client.ts";
import { defaultNet } from "../src/net/auto.ts";
import type { Conn } from "../src/net/types.ts";
import { COMMANDS } from "../src/server/_commands.ts";
import {
  bytes,
  countingNet,
  guard,
  putFile,
  startServer,
  text,
  waitFor,
} from "./_server_helpers.ts";

const env =
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const SEED = Number(env.FUZZ_SEED ?? 1);
const LINES = Math.min(Number(env.FUZZ_LINES ?? 600), 100_000);
const SESSIONS = 4;

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
}

const VALID = [
  "USER u",
  "PASS p",
  "USER anonymous",
  "PASS x@y",
  "SYST",
  "FEAT",
  "PWD",
  "CWD /d",
  "CDUP",
  "TYPE I",
  "TYPE A",
  "EPSV",
  "PASV",
  "LIST",
  "NLST *",
  "MLSD",
  "RETR f",
  "STOR g",
  "APPE g",
  "STOU",
  "SIZE f",
  "MDTM f",
  "MLST f",
  "REST 1",
  "RNFR f",
  "RNTO h",
  "DELE h",
  "MKD n",
  "RMD n",
  "SITE CHMOD 644 f",
  "STAT",
  "STAT /",
  "ABOR",
  "NOOP",
  "HELP",
  "HELP RETR",
  "OPTS UTF8 ON",
  "OPTS MLST type;size;",
  "MODE S",
  "STRU F",
  "ALLO 10",
  "EPRT |1|127.0.0.1|1025|",
  "PORT 127,0,0,1,4,1",
  "REIN",
  "ACCT x",
  "AUTH TLS",
  "PBSZ 0",
  "PROT P",
  "LANG EN",
  "MFMT 20200101000000 f",
  "EPSV ALL",
];

const ARGS = [
  "",
  " ",
  "/",
  "..",
  "../../../etc/passwd",
  "*",
  "*a*a*a*a*a*a*a*a*b",
  "?",
  "\x00",
  "\x1b[31m",
  "\x07",
  "\xff",
  "é",
  "\uFFFD",
  "-la",
  "-R /",
  "|||1|",
  "|2|::1|1|",
  "1,2,3,4,5,6",
  "999999999999999999999",
  "-1",
  "0777",
  "9999",
  "%s%s%n",
  "'\"`",
  "a".repeat(300),
  "d/".repeat(200),
  "\t",
  "ALL",
  "TLS",
];

function randomLine(r: (n: number) => number): Uint8Array {
  const kind = r(10);
  if (kind < 3) return bytes(VALID[r(VALID.length)]! + "\r\n");
  if (kind < 6) {
    const verbs = COMMANDS.verbs;
    const verb = r(5) === 0 ? "X" + r(1000) : verbs[r(verbs.length)]!;
    return bytes(`${r(4) === 0 ? verb.toLowerCase() : verb} ${ARGS[r(ARGS.length)]}\r\n`);
  }
  if (kind < 8) {
    // A mutated valid line: flipped, inserted and deleted bytes.
    const line = [...bytes(VALID[r(VALID.length)]! + "\r\n")];
    for (let m = 1 + r(4); m > 0; m--) {
      const at = r(line.length + 1);
      const op = r(3);
      if (op === 0) line.splice(at, 0, r(256));
      else if (op === 1) line.splice(at, 1);
      else line[Math.min(at, line.length - 1)] = r(256);
    }
    return new Uint8Array(line);
  }
  if (kind < 9) {
    // Binary junk, sometimes with Telnet IAC sequences, sometimes without a line end.
    const n = r(r(10) === 0 ? 6000 : 200);
    const out = new Uint8Array(n + 2);
    for (let i = 0; i < n; i++) out[i] = r(4) === 0 ? 0xff : r(256);
    out[n] = 0x0d;
    out[n + 1] = r(2) ? 0x0a : 0x00;
    return out;
  }
  return bytes(["\r\n", "\n", "\r", " \r\n", "\x00\r\n"][r(5)]!);
}

/** One fuzzing connection: sends lines, drains replies in the background, notices EOF. */
class FuzzConn {
  #conn: Conn;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  ended = false;
  readonly drained: Promise<void>;

  constructor(conn: Conn) {
    this.#conn = conn;
    this.#writer = conn.writable.getWriter();
    this.drained = (async () => {
      const reader = conn.readable.getReader();
      try {
        while (!(await reader.read()).done) { /* discard replies */ }
      } catch {
        // reset by the server: fine
      } finally {
        this.ended = true;
      }
    })();
  }

  async send(data: Uint8Array): Promise<void> {
    if (this.ended) return;
    await Promise.race([this.#writer.write(data), new Promise((r) => setTimeout(r, 200))]).catch(
      () => {
        this.ended = true;
      },
    );
  }

  close(): void {
    this.#conn.close();
  }
}

describe("server fuzz: random and mutated control-channel input", () => {
  it(`never throws, leaks no socket, and still serves a normal client (seed ${SEED}, ${LINES} lines)`, async () => {
    const { net, open } = await countingNet();
    await using srv = await startServer({
      users: [{ login: "u", password: "p" }, { anonymous: true }],
      net,
      loginFailureDelay: 1,
      maxLoginFailuresPerIp: 1_000_000,
      dataConnectionTimeout: 200,
      idleTimeout: 30_000,
      maxLineLength: 1024,
    });
    await putFile(srv.storage, "/f", "file content");
    await srv.storage.mkdir("/d");
    const r = prng(SEED);
    const clientNet = await defaultNet();
    const connect = async () =>
      new FuzzConn(
        await guard(clientNet.connect({ hostname: "127.0.0.1", port: srv.port }), "connect"),
      );
    const conns: FuzzConn[] = [];
    const all: FuzzConn[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const c = await connect();
      conns.push(c);
      all.push(c);
      if (i % 2 === 0) await c.send(bytes("USER u\r\nPASS p\r\n"));
    }
    for (let i = 0; i < LINES; i++) {
      const k = r(SESSIONS);
      if (conns[k]!.ended) {
        conns[k] = await connect();
        all.push(conns[k]!);
        if (r(2)) await conns[k]!.send(bytes("USER u\r\nPASS p\r\n"));
      }
      await conns[k]!.send(randomLine(r));
      if (i % 8 === 0) await new Promise((res) => setTimeout(res, 1));
    }
    for (const c of all) c.close();
    await guard(Promise.all(all.map((c) => c.drained)), "fuzz connections closed");
    await waitFor(() => srv.server.connections === 0, "every session ended");
    await waitFor(() => open.size === 0, `server sockets closed (${open.size} open)`);
    const errors = srv.events.filter((e) => e.type === "error");
    assert.deepEqual(errors.map((e) => String((e as { error?: unknown }).error)), []);
    // A normal client still works.
    await using client = await Client.connect(`ftp://u:p@127.0.0.1:${srv.port}`);
    await client.uploadData(bytes("after the fuzz"), "/after");
    assert.equal(text(await client.downloadData("/after")), "after the fuzz");
    assert.ok((await client.list("/")).some((e) => e.name === "after"));
    await client.quit();
  });
});
