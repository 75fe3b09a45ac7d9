/**
 * A bounded, seeded fuzz of the server's control channel: random and mutated command lines
 * (junk verbs, every real verb with hostile arguments, binary bytes, Telnet IAC, control
 * characters, overlong and unterminated lines) over a few concurrent sessions, logged in or
 * not. Afterwards the server must have reported no error, hold no socket, and still serve a
 * normal client. Some passive replies are answered by connecting and sending random bytes, so
 * transfers and uploads are fuzzed too. `FUZZ_SEED` and `FUZZ_LINES` change the run
 * (defaults: 1 and 600 lines); the input is seeded, the timing between sessions is not.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../src/client/client.ts";
import { defaultNet } from "../src/net/auto.ts";
import type { Conn, Net } from "../src/net/types.ts";
import { COMMANDS } from "../src/server/_commands.ts";
import { bytes, countingNet, guard, putFile, startServer, text, waitFor } from "./_support/mod.ts";

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

const TRANSFERS = [
  "RETR f",
  "STOR g",
  "APPE g",
  "STOU",
  "LIST",
  "NLST *",
  "MLSD",
  "RETR g",
  "STOR f",
];

function randomLine(r: (n: number) => number): Uint8Array {
  if (r(5) === 0) {
    // A transfer: a data channel, sometimes a REST, and a transfer command (the reply's port
    // is then connected to with random bytes, see FuzzConn).
    const rest = r(4) === 0 ? `REST ${r(20)}\r\n` : "";
    return bytes(`${r(2) ? "EPSV" : "PASV"}\r\n${rest}${TRANSFERS[r(TRANSFERS.length)]}\r\n`);
  }
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

/**
 * One fuzzing connection: sends lines, reads replies in the background, notices EOF, and
 * answers some 227/229 replies by connecting to the announced port and sending random bytes
 * (closing or leaving it open), so transfers, uploads and their locks are fuzzed too.
 */
class FuzzConn {
  #conn: Conn;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #net: Net;
  #r: (n: number) => number;
  #data: Conn[] = [];
  ended = false;
  readonly drained: Promise<void>;

  constructor(conn: Conn, net: Net, r: (n: number) => number) {
    this.#conn = conn;
    this.#net = net;
    this.#r = r;
    this.#writer = conn.writable.getWriter();
    this.drained = (async () => {
      const reader = conn.readable.getReader();
      const decoder = new TextDecoder();
      try {
        while (true) {
          const { value, done } = await reader.read();
          if (done) break;
          const text = decoder.decode(value, { stream: true });
          for (const m of text.matchAll(/\(\|\|\|(\d+)\|\)|\(\d+,\d+,\d+,\d+,(\d+),(\d+)\)/g)) {
            const port = m[1] ? Number(m[1]) : Number(m[2]) * 256 + Number(m[3]);
            if (r(3) > 0) void this.#useData(port);
          }
        }
      } catch {
        // reset by the server: fine
      } finally {
        this.ended = true;
      }
    })();
  }

  async #useData(port: number): Promise<void> {
    try {
      const data = await this.#net.connect({ hostname: "127.0.0.1", port });
      this.#data.push(data);
      void data.readable.pipeTo(new WritableStream()).catch(() => {});
      const writer = data.writable.getWriter();
      const junk = new Uint8Array(this.#r(70_000));
      for (let i = 0; i < junk.length; i += 97) junk[i] = this.#r(256);
      await Promise.race([writer.write(junk), new Promise((r) => setTimeout(r, 200))]);
      if (this.#r(2)) await writer.close().catch(() => {});
      if (this.#r(3) === 0) data.close();
    } catch {
      // refused, reset or closed by the server: fine
    }
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
    for (const d of this.#data) d.close();
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
        clientNet,
        r,
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
    // No upload left a temporary file behind.
    for (const dir of ["/", "/d"]) {
      for await (const e of srv.storage.list(dir)) {
        assert.ok(!e.name.includes(".anyftp-upload-"), e.name);
      }
    }
    const transfers = srv.events.filter((e) => e.type === "transfer").length;
    console.log(
      `fuzz: seed ${SEED}, ${LINES} lines, ${all.length} connections, ${transfers} transfers`,
    );
    assert.deepEqual(errors.map((e) => String((e as { error?: unknown }).error)), []);
    // A normal client still works.
    await using client = await Client.connect(`ftp://u:p@127.0.0.1:${srv.port}`);
    await client.uploadData(bytes("after the fuzz"), "/after");
    assert.equal(text(await client.downloadData("/after")), "after the fuzz");
    assert.ok((await client.list("/")).some((e) => e.name === "after"));
    await client.quit();
  });
});
