/**
 * The raw control client of the server tests: command lines and replies over a real or
 * in-memory connection, plus passive/active data connection helpers.
 *
 * @module
 */

import { defaultNet } from "../../src/net/auto.ts";
import type { Conn, Listener, Net } from "../../src/net/types.ts";
import { decodeEpsvReply, decodeHostPort } from "../../src/protocol/address.ts";
import { type Reply, ReplyAssembler } from "../../src/protocol/reply.ts";
import { LineReader } from "../../src/streams/line_reader.ts";
import { bytes, readAll, writeAll } from "./bytes.ts";
import { guard } from "./guard.ts";

/** Where {@linkcode Control.open} connects: a loopback port, or a server and its network. */
export type ControlTarget = number | { readonly port: number; readonly net: Net };

/**
 * A raw FTP control connection for tests: send a line, read a reply, open data connections.
 * Disposable: `await using c = await Control.login(port)` closes it at the end of the scope.
 */
export class Control {
  readonly conn: Conn;
  readonly net: Net;
  readonly hostname: string;
  #lines: LineReader;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #assembler = new ReplyAssembler();
  #greeting: Reply | undefined;

  private constructor(conn: Conn, net: Net, hostname: string) {
    this.conn = conn;
    this.net = net;
    this.hostname = hostname;
    this.#lines = new LineReader(conn.readable, { maxLineLength: 1 << 20 });
    this.#writer = conn.writable.getWriter();
  }

  /**
   * Connect and read the greeting. `target` is a port on the running runtime's loopback, or a
   * server (`{ port, net }`, e.g. a {@linkcode TestServer}) whose network is used, in memory
   * or real.
   */
  static async open(
    target: ControlTarget,
    options: { hostname?: string; localAddress?: string; expectGreeting?: string } = {},
  ): Promise<{ control: Control; greeting: Reply } & AsyncDisposable> {
    const control = await Control.connect(target, options);
    return { control, greeting: control.greeting, [Symbol.asyncDispose]: () => control[Symbol.asyncDispose]() };
  }

  /** {@linkcode Control.open} as one disposable Control; the greeting is `control.greeting`. */
  static async connect(
    target: ControlTarget,
    options: { hostname?: string; localAddress?: string } = {},
  ): Promise<Control> {
    const { port, net } = typeof target === "number" ? { port: target, net: await defaultNet() } : target;
    const hostname = options.hostname ?? "127.0.0.1";
    const conn = await guard(
      net.connect({ hostname, port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) }),
      "connect",
    );
    const control = new Control(conn, net, hostname);
    control.#greeting = await control.reply();
    return control;
  }

  /** The server's greeting (`EOF` when it closed at once). */
  get greeting(): Reply {
    if (!this.#greeting) throw new Error("no greeting read on this connection");
    return this.#greeting;
  }

  /** Wrap an already open connection and read the greeting. */
  static async over(conn: Conn, net: Net, hostname = "127.0.0.1"): Promise<{ control: Control; greeting: Reply }> {
    const control = new Control(conn, net, hostname);
    control.#greeting = await control.reply();
    return { control, greeting: control.#greeting };
  }

  /** Connect, expect 220, and log in. */
  static async login(target: ControlTarget, login = "anonymous", password = "guest@example.com", hostname?: string) {
    const { control, greeting } = await Control.open(target, hostname === undefined ? {} : { hostname });
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

  /** `using` closes the connection. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `await using` closes the connection. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}
