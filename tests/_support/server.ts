/**
 * Test helpers for the server: start a server on a free loopback port, and a raw control
 * connection that sends command lines and reads replies over real sockets (the running
 * runtime's adapter), plus passive/active data connection helpers.
 *
 * @module
 */

import { MemoryPathIO } from "../../src/fs/memory_path_io.ts";
import { readAll } from "../../src/testing/_bytes.ts";
import type { PathIO } from "../../src/fs/path_io.ts";
import { defaultNet } from "../../src/net/auto.ts";
import type { Conn, Listener, Net } from "../../src/net/types.ts";
import { decodeEpsvReply, decodeHostPort } from "../../src/protocol/address.ts";
import { type Reply, ReplyAssembler } from "../../src/protocol/reply.ts";
import { LineReader } from "../../src/streams/line_reader.ts";
import type { ServerEvent } from "../../src/server/events.ts";
import { Server, type ServerOptions } from "../../src/server/server.ts";

/** Longest a helper waits for anything before failing the test (a hang guard, not a timing assertion). */
export const GUARD_MS = 15_000;

/** A running test server. */
export interface TestServer {
  readonly server: Server;
  readonly port: number;
  readonly hostname: string;
  readonly storage: PathIO;
  readonly events: ServerEvent[];
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Start a server on 127.0.0.1 (or `hostname`) port 0 with a fresh MemoryPathIO unless
 * `storage` is given, recording every event.
 */
export async function startServer(
  options: ServerOptions = {},
  hostname = "127.0.0.1",
): Promise<TestServer> {
  const events: ServerEvent[] = [];
  const storage = (options.storage && typeof options.storage !== "function")
    ? options.storage
    : new MemoryPathIO();
  const server = new Server({
    storage,
    ...options,
    onEvent: (e) => {
      events.push(e);
      options.onEvent?.(e);
    },
  });
  const addr = await server.listen({ hostname, port: 0 });
  return {
    server,
    port: addr.port,
    hostname,
    storage,
    events,
    [Symbol.asyncDispose]: () => server.close({ timeout: 2000 }),
  };
}

/** Reject after `ms` with a clear message (hang guard). */
export function guard<T>(promise: Promise<T>, what: string, ms = GUARD_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`test guard: ${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}


/** Read a stream to the end (the one implementation, shared with `anyftp/testing`). */
export { readAll };

/** Bytes of a string (UTF-8). */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** String of bytes (UTF-8). */
export function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** Write bytes to a data connection and half-close it. */
export async function writeAll(conn: Conn, data: Uint8Array): Promise<void> {
  const writer = conn.writable.getWriter();
  if (data.length > 0) await writer.write(data);
  await writer.close();
}

/** A raw FTP control connection for tests. */
export class Control {
  readonly conn: Conn;
  readonly net: Net;
  readonly hostname: string;
  #lines: LineReader;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #assembler = new ReplyAssembler();

  private constructor(conn: Conn, net: Net, hostname: string) {
    this.conn = conn;
    this.net = net;
    this.hostname = hostname;
    this.#lines = new LineReader(conn.readable, { maxLineLength: 1 << 20 });
    this.#writer = conn.writable.getWriter();
  }

  /** Connect and read the greeting. */
  static async open(
    port: number,
    options: { hostname?: string; localAddress?: string; expectGreeting?: string } = {},
  ): Promise<{ control: Control; greeting: Reply }> {
    const net = await defaultNet();
    const hostname = options.hostname ?? "127.0.0.1";
    const conn = await guard(
      net.connect({ hostname, port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) }),
      "connect",
    );
    const control = new Control(conn, net, hostname);
    const greeting = await control.reply();
    return { control, greeting };
  }

  /** Wrap an already open connection and read the greeting. */
  static async over(conn: Conn, net: Net, hostname = "127.0.0.1"): Promise<{ control: Control; greeting: Reply }> {
    const control = new Control(conn, net, hostname);
    const greeting = await control.reply();
    return { control, greeting };
  }

  /** Connect, expect 220, and log in. */
  static async login(port: number, login = "anonymous", password = "guest@example.com", hostname?: string) {
    const { control, greeting } = await Control.open(port, { hostname });
    if (greeting.code !== "220") throw new Error(`greeting ${greeting.code} ${greeting.lines.join("|")}`);
    await control.expect(`USER ${login}`, "331", "230");
    const last = await control.cmd(`PASS ${password}`);
    if (last.code !== "230" && last.code !== "202" && last.code !== "503") {
      throw new Error(`login failed: ${last.code} ${last.lines.join("|")}`);
    }
    return control;
  }

  /**
   * Send `AUTH TLS`, expect 234, and return a Control over the secured connection (this one
   * is handed over). The server's certificate is the test fixture's.
   */
  async secure(caCerts: readonly string[]): Promise<Control> {
    await this.expect("AUTH TLS", "234");
    this.#lines.release();
    this.#writer.releaseLock();
    const secured = await guard(
      this.conn.startTls({ role: "client", caCerts, serverName: this.hostname }),
      "control TLS handshake",
    );
    return new Control(secured, this.net, this.hostname);
  }

  /** Send raw bytes. */
  async sendRaw(data: Uint8Array): Promise<void> {
    await this.#writer.write(data);
  }

  /** Send one command line (CRLF added). */
  async send(line: string): Promise<void> {
    await this.#writer.write(bytes(line + "\r\n"));
  }

  /** Read the next complete reply; `end` when the server closed the connection. */
  async reply(): Promise<Reply> {
    while (true) {
      const res = await guard(this.#lines.readLine(), "waiting for a reply");
      if (res.kind === "end") return { code: "EOF", lines: [] };
      if (res.kind === "too-long") throw new Error("reply line too long");
      const pushed = this.#assembler.push(res.line);
      if (pushed.kind === "reply") return pushed.reply;
      if (pushed.kind === "invalid") throw new Error(`invalid reply line: ${pushed.reason}`);
    }
  }

  /** Send a command and read its reply. */
  async cmd(line: string): Promise<Reply> {
    await this.send(line);
    return await this.reply();
  }

  /** Send a command and require one of the codes. */
  async expect(line: string, ...codes: string[]): Promise<Reply> {
    const r = await this.cmd(line);
    if (!codes.includes(r.code)) {
      throw new Error(`${line} → ${r.code} ${r.lines.join(" | ")} (expected ${codes.join("/")})`);
    }
    return r;
  }

  /** EPSV (or PASV) and connect the data connection. */
  async passive(command: "EPSV" | "PASV" = "EPSV", localAddress?: string): Promise<Conn> {
    const r = await this.expect(command, command === "EPSV" ? "229" : "227");
    const port = command === "EPSV" ? decodeEpsvReply(r.lines[0]!) : decodeHostPort(r.lines[0]!)?.port;
    if (!port) throw new Error(`bad ${command} reply: ${r.lines[0]}`);
    return await guard(
      this.net.connect({ hostname: this.hostname, port, ...(localAddress ? { localAddress } : {}) }),
      "data connect",
    );
  }

  /** Listen for an active data connection and send PORT/EPRT for it. */
  async active(command: "PORT" | "EPRT" = "EPRT"): Promise<{ listener: Listener; accept: Promise<Conn> }> {
    const listener = await this.net.listen({ hostname: this.hostname, port: 0 });
    const p = listener.addr.port;
    const arg = command === "PORT"
      ? `${this.hostname.replaceAll(".", ",")},${p >> 8},${p & 255}`
      : `|${this.hostname.includes(":") ? 2 : 1}|${this.hostname}|${p}|`;
    await this.expect(`${command} ${arg}`, "200");
    const accept = (async () => {
      for await (const conn of listener) {
        listener.close();
        return conn;
      }
      throw new Error("listener closed without a connection");
    })();
    return { listener, accept };
  }

  /** RETR (or LIST/NLST/MLSD) over EPSV; returns the data and the final reply. */
  async download(command: string): Promise<{ data: Uint8Array; final: Reply }> {
    const data = await this.passive();
    await this.expect(command, "150", "125");
    const got = await guard(readAll(data.readable), `reading data of ${command}`);
    data.close();
    const final = await this.reply();
    return { data: got, final };
  }

  /** STOR/APPE/STOU over EPSV; returns the preliminary and final replies. */
  async upload(command: string, payload: Uint8Array): Promise<{ preliminary: Reply; final: Reply }> {
    const data = await this.passive();
    const preliminary = await this.expect(command, "150", "125");
    await writeAll(data, payload);
    const final = await this.reply();
    data.close();
    return { preliminary, final };
  }

  /** Close the connection. */
  close(): void {
    this.conn.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * The upload target a storage path is written for: a temporary upload name
 * (`/dir/.name.anyftp-upload-<hex>`, the default "rename" upload policy) maps to `/dir/name`,
 * anything else to itself. Test storages that act on a target path use it.
 */
export function uploadTarget(path: string): string {
  const m = /^(.*\/)\.(.+)\.anyftp-upload-[0-9a-f]{16}$/s.exec(path);
  return m ? m[1]! + m[2]! : path;
}

/**
 * A Net (the running runtime's) that counts the sockets it made and accepted that are not
 * closed yet: given to a server, it counts the server's sockets.
 */
export async function countingNet(): Promise<{ net: Net; open: Set<Conn> }> {
  const inner = await defaultNet();
  const open = new Set<Conn>();
  const track = (conn: Conn) => {
    open.add(conn);
    const close = conn.close.bind(conn);
    // Counted closed once the server closes it (the socket's fd is released then).
    (conn as { close: () => void }).close = () => {
      open.delete(conn);
      close();
    };
    void conn.closed.then(() => open.delete(conn), () => open.delete(conn));
  };
  const net: Net = {
    ...inner,
    connect: async (options) => {
      const conn = await inner.connect(options);
      track(conn);
      return conn;
    },
    listen: async (options) => {
      const listener = await inner.listen(options);
      const wrapped: Listener = {
        get addr() {
          return listener.addr;
        },
        close: () => listener.close(),
        [Symbol.asyncDispose]: () => listener[Symbol.asyncDispose](),
        [Symbol.asyncIterator]() {
          const it = listener[Symbol.asyncIterator]();
          return {
            next: async () => {
              const r = await it.next();
              if (!r.done) track(r.value);
              return r;
            },
            return: async (value?: unknown) => (await it.return?.(value)) ?? { done: true, value: undefined },
          };
        },
      };
      return wrapped;
    },
  };
  return { net, open };
}

/** Put a file into a storage. */
export async function putFile(storage: PathIO, path: string, data: Uint8Array | string): Promise<void> {
  const parent = path.slice(0, path.lastIndexOf("/"));
  if (parent) await storage.mkdir(parent, { parents: true });
  const w = (await storage.openWrite(path)).getWriter();
  await w.write(typeof data === "string" ? bytes(data) : data);
  await w.close();
}

/** Get a file from a storage. */
export async function getFile(storage: PathIO, path: string): Promise<Uint8Array> {
  return await readAll(await storage.openRead(path));
}

/** Wait until `check` is true, polling (bounded). */
export async function waitFor(check: () => boolean, what: string, ms = GUARD_MS): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`test guard: ${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A storage with "virtual" big files generated on demand (byte i is `i & 255`), counting how
 * many bytes the server pulled from them, and "gated" upload targets whose writes wait until
 * released, counting what arrived. Everything else goes to a MemoryPathIO.
 */
export class InstrumentedPathIO extends MemoryPathIO {
  #virtual = new Map<string, number>();
  #gates = new Map<string, { open: boolean; waiters: (() => void)[] }>();
  /** Bytes pulled from virtual files. */
  pulled = 0;
  /** Bytes accepted by gated sinks. */
  received = 0;
  /** Open read streams of virtual files not yet ended or cancelled. */
  openReads = 0;

  /** Add a generated file of `size` bytes. */
  addVirtual(path: string, size: number): void {
    this.#virtual.set(path, size);
  }

  /** Make writes to `path` wait until {@linkcode release}. */
  gate(path: string): void {
    this.#gates.set(path, { open: false, waiters: [] });
  }

  /** Let writes to `path` proceed. */
  release(path: string): void {
    const g = this.#gates.get(path);
    if (!g) return;
    g.open = true;
    for (const w of g.waiters.splice(0)) w();
  }

  override stat(path: string) {
    const size = this.#virtual.get(path);
    if (size !== undefined) return Promise.resolve({ type: "file" as const, size, mtime: new Date(0), mode: 0o644 });
    return super.stat(path);
  }

  override openRead(path: string, options: { offset?: number } = {}): Promise<ReadableStream<Uint8Array>> {
    const size = this.#virtual.get(path);
    if (size === undefined) return super.openRead(path, options);
    let pos = options.offset ?? 0;
    this.openReads++;
    let open = true;
    const done = () => {
      if (open) this.openReads--;
      open = false;
    };
    const chunk = 64 * 1024;
    return Promise.resolve(
      new ReadableStream<Uint8Array>({
        pull: (controller) => {
          if (pos >= size) {
            done();
            controller.close();
            return;
          }
          const n = Math.min(chunk, size - pos);
          const out = new Uint8Array(n);
          for (let i = 0; i < n; i++) out[i] = (pos + i) & 255;
          pos += n;
          this.pulled += n;
          controller.enqueue(out);
        },
        cancel: () => done(),
      }, { highWaterMark: 0 }),
    );
  }

  override openWrite(path: string, options = {}): Promise<WritableStream<Uint8Array>> {
    const g = this.#gates.get(uploadTarget(path));
    if (!g) return super.openWrite(path, options);
    // The file exists (empty), so an upload policy may rename it; the bytes are only counted.
    return super.openWrite(path, options).then((w) => w.close()).then(() =>
      new WritableStream<Uint8Array>({
        write: async (chunk) => {
          if (!g.open) await new Promise<void>((r) => g.waiters.push(r));
          this.received += chunk.byteLength;
        },
      })
    );
  }
}

/** Wait until a counter stops changing (sampled every `stepMs`, `stableSamples` times in a row). */
export async function settle(read: () => number, stepMs = 50, stableSamples = 4): Promise<number> {
  let last = read();
  let same = 0;
  for (let i = 0; i < 400 && same < stableSamples; i++) {
    await new Promise((r) => setTimeout(r, stepMs));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}
