/**
 * The connections of the in-memory network: two ends over a pair of bounded pipes.
 *
 * @module
 */
import { ConnectionClosedError } from "../../errors.ts";
import type { Addr, Conn, StartTlsOptions, TlsOptions } from "../types.ts";
import { Pipe } from "./_pipe.ts";

/** One end of an in-memory connection. */
export class MemoryConn implements Conn {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly localAddr: Addr;
  readonly remoteAddr: Addr;
  readonly closed: Promise<void>;
  readonly secure: boolean;
  #in: Pipe;
  #out: Pipe;
  #shared: { close: () => void; closed: Promise<void> };

  constructor(
    pipes: { in: Pipe; out: Pipe },
    addrs: { local: Addr; remote: Addr },
    shared: { close: () => void; closed: Promise<void> },
    secure: boolean,
  ) {
    this.#in = pipes.in;
    this.#out = pipes.out;
    this.#shared = shared;
    this.localAddr = addrs.local;
    this.remoteAddr = addrs.remote;
    this.closed = shared.closed;
    this.secure = secure;
    const input = pipes.in;
    const output = pipes.out;
    this.readable = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const chunk = await input.read();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
      cancel: () => input.destroy(),
    }, { highWaterMark: 0 });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => output.write(chunk),
      close: () => {
        if (output.writeClosed) throw new ConnectionClosedError("close");
        output.end();
      },
      abort: () => shared.close(),
    });
  }

  setNoDelay(_noDelay: boolean): void {}

  close(): void {
    this.#shared.close();
  }

  startTls(options: TlsOptions, init: StartTlsOptions = {}): Promise<Conn> {
    if (init.signal?.aborted) return Promise.reject(init.signal.reason);
    if (this.#out.writeClosed) return Promise.reject(new ConnectionClosedError("TLS upgrade"));
    if (options.role === "client" && options.reuseSessionOf && !options.reuseSessionOf.secure) {
      return Promise.reject(new TypeError("reuseSessionOf must be a secured connection"));
    }
    const shared = this.#shared;
    const addrs = { local: this.localAddr, remote: this.remoteAddr };
    return Promise.resolve(new MemoryConn({ in: this.#in, out: this.#out }, addrs, shared, true));
  }
}

/** Two connected {@linkcode MemoryConn}s sharing one close. */
export function pair(client: Addr, server: Addr, secure: boolean): [Conn, Conn] {
  const up = new Pipe();
  const down = new Pipe();
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const close = () => {
    up.destroy();
    down.destroy();
    markClosed();
  };
  // Both directions finished (FIN both ways): the connection is closed, as with TCP.
  let done = 0;
  const oneDone = () => ++done === 2 && markClosed();
  up.onDone = oneDone;
  down.onDone = oneDone;
  const shared = { close, closed };
  return [
    new MemoryConn({ in: down, out: up }, { local: client, remote: server }, shared, secure),
    new MemoryConn({ in: up, out: down }, { local: server, remote: client }, shared, secure),
  ];
}
