/**
 * The socket-adapter conformance suite: {@linkcode netConformance} registers, with
 * `node:test`, the cases every {@linkcode Net} of anyftp passes (`denoNet`, `bunNet`,
 * `nodeNet`, the memory network): listen and connect on IPv4 and IPv6, 64 MiB each way,
 * backpressure, half-close, close, refused and aborted connects, listener close and port
 * reuse, and TLS (implicit, STARTTLS in both roles, a close right after the handshake,
 * session reuse). Every loop is bounded by a byte or round count; nothing asserts on elapsed
 * time (short waits only decide when a writer counts as stalled).
 *
 * The file imports `node:test` and `node:assert/strict`, which `deno test`, `bun test` and
 * `node --test` all provide.
 *
 * @example
 * ```ts
 * // my_net.test.ts — run with deno test, bun test or node --test
 * import { netConformance } from "anyftp/testing";
 * import { createMemoryNet } from "anyftp/net/memory";
 * netConformance("memory", () => createMemoryNet());
 * ```
 *
 * @module
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectError, ConnectionClosedError, UnsupportedError } from "../errors.ts";
import type { Conn, Listener, Net, TlsOptions } from "../net/types.ts";
import { drain, pump, readText, writeText } from "./_bytes.ts";

const MiB = 1 << 20;

/**
 * Options of {@linkcode netConformance}: TLS material, and what the adapter cannot do (the
 * case then asserts exactly that `UnsupportedError`, or skips the check).
 *
 * @example
 * ```ts
 * import type { NetConformanceOptions } from "anyftp/testing";
 * const options: NetConformanceOptions = { sessionReuse: false, bindErrorCode: false };
 * ```
 */
export interface NetConformanceOptions {
  /**
   * A certificate (PEM) valid for `127.0.0.1`, `::1` and `localhost`, and its key; the client
   * side trusts it as its CA. Without it the TLS cases are skipped.
   * @default undefined
   */
  readonly tls?: { readonly cert: string; readonly key: string } | undefined;
  /** Server-role `startTls` on a connection works. @default true */
  readonly serverStartTls?: boolean | undefined;
  /** `reuseSessionOf` on client TLS works (else it must reject with UnsupportedError). @default true */
  readonly sessionReuse?: boolean | undefined;
  /** A failed bind reports `EADDRINUSE` as its code (every adapter of anyftp does). @default true */
  readonly bindErrorCode?: boolean | undefined;
  /**
   * `startTls` runs a real handshake, which a silent peer holds up until its signal aborts it
   * (the memory adapter only marks the Conn secure). @default true
   */
  readonly handshake?: boolean | undefined;
  /** Listen and connect on `::1` as well as `127.0.0.1`. @default true */
  readonly ipv6?: boolean | undefined;
}

/** Accept one connection from `listener`. */
async function acceptOne(listener: Listener): Promise<Conn> {
  const next = await listener[Symbol.asyncIterator]().next();
  assert.equal(next.done, false, "listener ended before a connection arrived");
  return next.value as Conn;
}

/** Connect to `listener` and accept: [client end, server end]. */
async function connectPair(
  net: Net,
  listener: Listener,
  tls?: TlsOptions,
): Promise<[Conn, Conn]> {
  return await Promise.all([
    net.connect({ hostname: listener.addr.hostname, port: listener.addr.port, tls }),
    acceptOne(listener),
  ]);
}

/** Whether `promise` is still pending after a short wait (ends early once it settles). */
async function pendingAfterWait(promise: Promise<unknown>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, 100, true)));
  const settled = promise.then(() => false, () => false);
  const pending = await Promise.race([waited, settled]);
  clearTimeout(timer);
  return pending;
}

/**
 * `promise`, or a rejection naming `what` if it has not settled after 20 s: turns a hang
 * into a failure (the bound is far above any healthy round, it measures nothing).
 */
async function withinBound<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after 20 s (hang)`)), 20_000);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Run a TLS upgrade: `first` and `second` upgrade concurrently with their options. */
async function upgrade(
  pairs: [Conn, TlsOptions][],
): Promise<Conn[]> {
  return await Promise.all(pairs.map(([conn, options]) => conn.startTls(options)));
}

/**
 * Register the adapter conformance cases for a {@linkcode Net} with `node:test` (one
 * `describe` block named `net conformance: <name>`). Call it at the top level of a test file;
 * `deno test -A`, `bun test` and `node --test` run it. The cases use loopback only.
 *
 * @param name Label for the describe block.
 * @param makeNet Gives the adapter under test; called once per case (return a fresh memory
 *   network, or the same adapter object each time).
 * @param options TLS material and the adapter's known limits.
 *
 * @example
 * ```ts
 * import { netConformance } from "anyftp/testing";
 * import { nodeNet } from "anyftp/net/node";
 * netConformance("node", () => nodeNet, { ipv6: false });
 * ```
 */
export function netConformance(
  name: string,
  makeNet: () => Net | Promise<Net>,
  options: NetConformanceOptions = {},
): void {
  const limits = options;
  const tls = options.tls;
  // Used only by the TLS cases, which are skipped without `tls`.
  const SERVER_TLS = { role: "server", cert: tls?.cert ?? "", key: tls?.key ?? "" } as const;
  const CLIENT_TLS = { role: "client", caCerts: [tls?.cert ?? ""] } as const;
  /** A case on a fresh adapter from `makeNet`. */
  const test = (title: string, run: (net: Net) => Promise<void>) =>
    it(title, async () => await run(await makeNet()));
  /** A TLS case: skipped without TLS material. */
  const tlsTest = (title: string, run: (net: Net) => Promise<void>) =>
    tls ? test(title, run) : it.skip(`${title} (no tls option given)`, () => {});
  describe(`net conformance: ${name}`, () => {
    for (const hostname of options.ipv6 === false ? ["127.0.0.1"] : ["127.0.0.1", "::1"]) {
      test(`listens on ${hostname} port 0, reports the real port, connects`, async (net) => {
        const listener = await net.listen({ hostname, port: 0 });
        try {
          assert.ok(listener.addr.port > 0);
          assert.equal(listener.addr.hostname, hostname);
          assert.equal(listener.addr.family, hostname.includes(":") ? "IPv6" : "IPv4");
          const [client, server] = await connectPair(net, listener);
          assert.equal(client.remoteAddr.port, listener.addr.port);
          assert.equal(client.remoteAddr.hostname, hostname);
          assert.equal(server.remoteAddr.port, client.localAddr.port);
          assert.equal(client.secure, false);
          client.setNoDelay(true);
          await writeText(client, "USER anonymous\r\n");
          assert.equal(await readText(server, 16), "USER anonymous\r\n");
          await writeText(server, "331 ok\r\n");
          assert.equal(await readText(client, 8), "331 ok\r\n");
          client.close();
          server.close();
          await Promise.all([client.closed, server.closed]);
        } finally {
          listener.close();
        }
      });
    }

    test("moves 64 MiB each way concurrently, intact (same digest)", async (net) => {
      const listener = await net.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        const [client, server] = await connectPair(net, listener);
        const [up, down, gotUp, gotDown] = await Promise.all([
          pump(client.writable, 64 * MiB),
          pump(server.writable, 64 * MiB, 64 * 1024 + 3),
          drain(server.readable, 64 * MiB),
          drain(client.readable, 64 * MiB),
        ]);
        assert.deepEqual(gotUp, up);
        assert.deepEqual(gotDown, down);
        await Promise.all([client.closed, server.closed]);
      } finally {
        listener.close();
      }
    });

    test("backpressure: a reader that stops reading stalls the writer with bounded buffering", async (net) => {
      const listener = await net.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        const [client, server] = await connectPair(net, listener);
        const writer = client.writable.getWriter();
        const chunk = 64 * 1024;
        let pushed = 0;
        let stalled: Promise<void> | undefined;
        // Bounded: at most 64 MiB; a working adapter stalls long before.
        while (pushed < 64 * MiB) {
          const write = writer.write(new Uint8Array(chunk).fill(7));
          pushed += chunk;
          if (await pendingAfterWait(write)) {
            stalled = write;
            break;
          }
        }
        assert.ok(stalled, `writer never stalled after ${pushed} bytes`);
        assert.ok(pushed < 32 * MiB, `writer pushed ${pushed} bytes before stalling`);
        // Reading resumes the writer, and every pushed byte arrives.
        const closing = stalled.then(() => writer.close());
        const got = await drain(server.readable, 64 * MiB);
        await closing;
        assert.equal(got.bytes, pushed);
        client.close();
        server.close();
      } finally {
        listener.close();
      }
    });

    test("half-close: writable.close() ends the peer's readable, the other direction still works", async (net) => {
      const listener = await net.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        const [client, server] = await connectPair(net, listener);
        await writeText(client, "QUIT\r\n");
        await client.writable.close();
        const got = await drain(server.readable, 1024);
        assert.equal(got.bytes, 6);
        await writeText(server, "221 bye\r\n");
        assert.equal(await readText(client, 9), "221 bye\r\n");
        await server.writable.close();
        assert.equal((await drain(client.readable, 1024)).bytes, 0);
        await Promise.all([client.closed, server.closed]);
      } finally {
        listener.close();
      }
    });

    test("close(): closed settles on both ends, writing after close rejects with ConnectionClosedError", async (net) => {
      const listener = await net.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        const [client, server] = await connectPair(net, listener);
        const peerWriter = server.writable.getWriter();
        client.close();
        client.close(); // idempotent
        await client.closed;
        await assert.rejects(client.writable.getWriter().write(new Uint8Array(1)), ConnectionClosedError);
        // The peer learns it from a failing write; bounded rounds (its first writes may be buffered).
        let error: unknown;
        for (let round = 0; round < 4096 && error === undefined; round++) {
          await peerWriter.write(new Uint8Array(64 * 1024)).catch((e) => (error = e));
        }
        assert.ok(error instanceof ConnectionClosedError, `peer write failed with ${error}`);
        await server.closed;
        // The peer's readable ends, or fails as closed (a reset may discard unread bytes).
        const rest = await drain(server.readable, 0).catch((e) => e);
        assert.ok(rest instanceof ConnectionClosedError || rest.bytes === 0, `got ${rest}`);
      } finally {
        listener.close();
      }
    });

    test("connect to a closed port rejects with ConnectError ECONNREFUSED", async (net) => {
      const listener = await net.listen({ hostname: "127.0.0.1", port: 0 });
      const port = listener.addr.port;
      listener.close();
      const error = await net.connect({ hostname: "127.0.0.1", port }).catch((e) => e);
      assert.ok(error instanceof ConnectError, `got ${error}`);
      assert.equal(error.code, "ECONNREFUSED");
    });

    test("an aborted signal cancels connect", async (net) => {
      const controller = new AbortController();
      controller.abort(new Error("stop"));
      // Non-routable target (TEST-NET-1): without the abort this could hang for minutes.
      await assert.rejects(
        net.connect({ hostname: "192.0.2.1", port: 21, signal: controller.signal }),
        (e) => e === controller.signal.reason,
      );
      const later = new AbortController();
      const pending = net.connect({ hostname: "192.0.2.1", port: 21, signal: later.signal });
      later.abort(new Error("stop later"));
      const error = await pending.then((conn) => (conn.close(), "connected"), (e) => e);
      // Either the abort won, or the sandbox has no route and said so first.
      assert.ok(
        error === later.signal.reason || error instanceof ConnectError,
        `got ${error}`,
      );
    });

    test("listener close stops accepting, ends iteration and frees the port", async (net) => {
      const listener = await net.listen({ hostname: "127.0.0.1", port: 0 });
      const port = listener.addr.port;
      const iteration = (async () => {
        let n = 0;
        for await (const conn of listener) {
          conn.close();
          n++;
        }
        return n;
      })();
      const conn = await net.connect({ hostname: "127.0.0.1", port });
      conn.close();
      listener.close();
      listener.close(); // idempotent
      assert.ok((await iteration) <= 1);
      const again = await net.listen({ hostname: "127.0.0.1", port });
      try {
        assert.equal(again.addr.port, port);
        const error = await net.listen({ hostname: "127.0.0.1", port })
          .then((taken) => taken.close(), (e) => e);
        assert.ok(error instanceof ConnectError, `got ${error}`);
        if (limits.bindErrorCode !== false) assert.equal(error.code, "EADDRINUSE");
      } finally {
        await again[Symbol.asyncDispose]();
      }
    });

    tlsTest("TLS: implicit TLS listen + connect", async (net) => {
      const listener = await net.listen({ hostname: "127.0.0.1", port: 0, tls: SERVER_TLS });
      try {
        const [client, server] = await connectPair(net, listener, CLIENT_TLS);
        assert.equal(client.secure, true);
        assert.equal(server.secure, true);
        await writeText(server, "220 secure\r\n");
        assert.equal(await readText(client, 12), "220 secure\r\n");
        const [up, got] = await Promise.all([pump(client.writable, 4 * MiB), drain(server.readable, 4 * MiB)]);
        assert.deepEqual(got, up);
        client.close();
        server.close();
      } finally {
        listener.close();
      }
    });

    tlsTest("TLS: upgrade an open connection (dialler = client role, as AUTH TLS)", async (net) => {
      const listener = await net.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        const [client, server] = await connectPair(net, listener);
        await writeText(client, "AUTH TLS\r\n");
        assert.equal(await readText(server, 10), "AUTH TLS\r\n");
        await writeText(server, "234 go\r\n");
        assert.equal(await readText(client, 8), "234 go\r\n");
        if (limits.serverStartTls === false) {
          await assert.rejects(server.startTls(SERVER_TLS), UnsupportedError);
          client.close();
          server.close();
          return;
        }
        const [secureClient, secureServer] = await upgrade([[client, CLIENT_TLS], [server, SERVER_TLS]]);
        assert.equal(secureClient!.secure, true);
        await writeText(secureClient!, "PBSZ 0\r\n");
        assert.equal(await readText(secureServer!, 8), "PBSZ 0\r\n");
        const [down, got] = await Promise.all([
          pump(secureServer!.writable, 2 * MiB),
          drain(secureClient!.readable, 2 * MiB),
        ]);
        assert.deepEqual(got, down);
        secureClient!.close();
        // The peer learns of the close by reading (end of stream, or closed by a reset).
        const rest = await drain(secureServer!.readable, 0).catch((e) => e);
        assert.ok(rest instanceof ConnectionClosedError || rest.bytes === 0, `got ${rest}`);
        secureServer!.close();
        await Promise.all([secureClient!.closed, secureServer!.closed]);
      } finally {
        listener.close();
      }
    });

    tlsTest("TLS: upgrade with the dialler as server role (active-mode data connection)", async (net) => {
      const listener = await net.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        const [dialler, accepted] = await connectPair(net, listener);
        if (limits.serverStartTls === false) {
          await assert.rejects(dialler.startTls(SERVER_TLS), UnsupportedError);
          dialler.close();
          accepted.close();
          return;
        }
        const [secureDialler, secureAccepted] = await upgrade([[dialler, SERVER_TLS], [accepted, CLIENT_TLS]]);
        const [up, got] = await Promise.all([
          pump(secureDialler!.writable, 1 * MiB),
          drain(secureAccepted!.readable, 1 * MiB),
        ]);
        assert.deepEqual(got, up);
        secureAccepted!.close();
        secureDialler!.close();
      } finally {
        listener.close();
      }
    });

    for (const role of ["client", "server"] as const) {
      tlsTest(`TLS: a ${role}-role startTls whose peer never answers is rejected by its signal, and the connection is freed`, async (net) => {
        const listener = await net.listen({ hostname: "127.0.0.1", port: 0 });
        try {
          // Client role: the dialler sends AUTH TLS's ClientHello, the accepted end stays
          // silent. Server role: the accepted end waits for a ClientHello that never comes.
          const [dialler, accepted] = await connectPair(net, listener);
          const [conn, peer] = role === "client" ? [dialler, accepted] : [accepted, dialler];
          const options = role === "client" ? CLIENT_TLS : SERVER_TLS;
          const early = new AbortController();
          early.abort(new Error("aborted before the handshake"));
          await assert.rejects(conn.startTls(options, { signal: early.signal }), (e) => e === early.signal.reason);
          if (limits.handshake === false) {
            conn.close();
            peer.close();
            return;
          }
          const controller = new AbortController();
          const handshake = conn.startTls(options, { signal: controller.signal });
          assert.ok(await pendingAfterWait(handshake), "startTls settled although the peer never answered");
          controller.abort(new Error("handshake timeout"));
          await assert.rejects(
            withinBound(handshake, "startTls after its signal aborted"),
            (e) => e === controller.signal.reason,
          );
          // Freed: the peer's writes fail (a reset), which a half-closed or leaked socket would
          // not do; bounded rounds, since the first writes may be buffered.
          const writer = peer.writable.getWriter();
          let error: unknown;
          for (let round = 0; round < 4096 && error === undefined; round++) {
            await withinBound(writer.write(new Uint8Array(64 * 1024)), "peer write").catch((e) => (error = e));
          }
          assert.ok(error instanceof ConnectionClosedError, `peer write failed with ${error}`);
          await withinBound(peer.closed, "peer closed");
        } finally {
          listener.close();
        }
      });
    }

    tlsTest("TLS: a server that half-closes right after startTls, with 0 bytes, ends the client's stream cleanly (50 rounds)", async (net) => {
      if (limits.serverStartTls === false) return;
      const listener = await net.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        // Bounded: 50 rounds. The client starts its handshake a little late in some rounds
        // (as lftp does after reading 150), so a server whose startTls resolved before its
        // handshake finished half-closes mid-handshake: the client then fails or hangs.
        for (let round = 0; round < 50; round++) {
          const [dialler, accepted] = await connectPair(net, listener);
          // Even rounds: passive mode (accepted end is the TLS server); odd: active mode.
          const [server, client] = round % 2 === 0 ? [accepted, dialler] : [dialler, accepted];
          const clientSide = (async () => {
            await new Promise((resolve) => setTimeout(resolve, (round % 4) * 5));
            const secure = await client.startTls(CLIENT_TLS);
            try {
              return await drain(secure.readable, 0);
            } finally {
              secure.close();
            }
          })();
          const secureServer = await server.startTls(SERVER_TLS);
          assert.equal(secureServer.secure, true);
          await secureServer.writable.close();
          const got = await withinBound(clientSide, `round ${round}: client handshake or end`);
          assert.equal(got.bytes, 0, `round ${round}`);
          secureServer.close();
          await secureServer.closed;
        }
      } finally {
        listener.close();
      }
    });

    tlsTest("TLS: data connection reusing the control connection's session", async (net) => {
      const listener = await net.listen({ hostname: "127.0.0.1", port: 0, tls: SERVER_TLS });
      try {
        const [control, serverControl] = await connectPair(net, listener, CLIENT_TLS);
        // TLS 1.3 tickets arrive after the handshake: one round trip makes sure they are in.
        await writeText(serverControl, "200 ok\r\n");
        assert.equal(await readText(control, 8), "200 ok\r\n");
        const data = { ...CLIENT_TLS, reuseSessionOf: control };
        if (limits.sessionReuse === false) {
          await assert.rejects(
            net.connect({ hostname: "127.0.0.1", port: listener.addr.port, tls: data }),
            UnsupportedError,
          );
        } else {
          const [client, server] = await connectPair(net, listener, data);
          assert.equal(client.secure, true);
          await writeText(server, "x");
          assert.equal(await readText(client, 1), "x");
          client.close();
          server.close();
        }
        control.close();
        serverControl.close();
      } finally {
        listener.close();
      }
    });
  });
}
