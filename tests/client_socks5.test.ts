// The client through a real SOCKS5 proxy (microsocks, started here on loopback): control and
// passive data connections, plain and with TLS, user/password authentication, typed errors.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "../src/client/mod.ts";
import { UnsupportedError } from "../src/errors.ts";
import type { Conn, Net } from "../src/net/types.ts";
import { ProxyError, socks5Net } from "../src/net/socks5.ts";
import { defaultNet } from "../src/net/auto.ts";
import {
  haveDante,
  haveMicrosocks,
  havePeer,
  type RealProxy,
  repoFile,
  sha256 as sha,
  startDante,
  startMicrosocks,
  startServer,
  startVsftpd,
} from "./_support/mod.ts";

const opts = { socketTimeout: 10_000, dataTimeout: 10_000, connectTimeout: 10_000 } as const;
// microsocks dials out from this address: the FTP server sees it for every proxied connection.
const PROXY_OUT = "127.0.0.2";

/** A Net that records where it dials (the proxy, never the FTP server). */
function recording(base: Net, dialled: string[]): Net {
  return {
    name: base.name,
    async connect(o): Promise<Conn> {
      dialled.push(`${o.hostname}:${o.port}`);
      return await base.connect(o);
    },
    listen: (o) => base.listen(o),
  };
}

describe("client through a SOCKS5 proxy (microsocks)", { skip: !haveMicrosocks() }, () => {
  let proxy: RealProxy;
  let open: RealProxy;
  before(async () => {
    proxy = await startMicrosocks({ user: "proxyuser", password: "proxy pw", bind: PROXY_OUT });
    open = await startMicrosocks({ bind: PROXY_OUT });
  });
  after(async () => {
    await proxy?.close();
    await open?.close();
  });

  it("transfers and lists with our server, user/password auth, passive mode, hashes equal", async () => {
    await using srv = await startServer({ users: [{ login: "u", password: "p" }], loginFailureDelay: 0 });
    const dialled: string[] = [];
    const net = socks5Net({
      hostname: proxy.host,
      port: proxy.port,
      username: "proxyuser",
      password: "proxy pw",
      net: recording(await defaultNet(), dialled),
    });
    await using client = await Client.connect(`ftp://u:p@127.0.0.1:${srv.port}`, { ...opts, net });
    const data = new Uint8Array(randomBytes(3 * 1024 * 1024 + 5));
    await client.uploadData(data, "/big.bin");
    assert.equal(sha(await client.downloadData("/big.bin")), sha(data));
    await client.mkdir("/d");
    await client.uploadData("x", "/d/x.txt");
    const listed = (await client.list("/", { recursive: true })).map((e) => e.path).sort();
    assert.deepEqual(listed, ["/big.bin", "/d", "/d/x.txt"]);
    assert.ok(dialled.length >= 6, dialled.join(" "));
    assert.ok(dialled.every((d) => d === `${proxy.host}:${proxy.port}`), dialled.join(" "));
    const remotes = srv.events.flatMap((e) => "remote" in e ? [e.remote.hostname] : []);
    assert.ok(remotes.length > 0 && remotes.every((h) => h.replace(/^::ffff:/, "") === PROXY_OUT), remotes.join(" "));
  });

  it("explicit TLS (AUTH TLS, PROT P) through a proxy without authentication", async () => {
    const cert = readFileSync(repoFile("tests/fixtures/tls/cert.pem"), "utf8");
    const key = readFileSync(repoFile("tests/fixtures/tls/key.pem"), "utf8");
    await using srv = await startServer({
      users: [{ login: "u", password: "p" }],
      loginFailureDelay: 0,
      tls: { cert, key },
    });
    const net = socks5Net({ hostname: open.host, port: open.port });
    await using client = await Client.connect(`ftp://u:p@127.0.0.1:${srv.port}`, {
      ...opts,
      net,
      tls: "explicit",
      tlsOptions: { caCerts: [cert] },
    });
    const data = new Uint8Array(randomBytes(1024 * 1024 + 3));
    await client.uploadData(data, "/tls.bin");
    assert.equal(sha(await client.downloadData("/tls.bin")), sha(data));
    assert.deepEqual((await client.list("/")).map((e) => e.name), ["tls.bin"]);
  });

  it("vsftpd (LIST only) through the proxy: tree download and hashes", { skip: !havePeer("vsftpd") }, async () => {
    await using server = await startVsftpd();
    const net = socks5Net({ hostname: proxy.host, port: proxy.port, username: "proxyuser", password: "proxy pw" });
    await using client = await Client.connect(server.url, { ...opts, net });
    const data = new Uint8Array(randomBytes(2 * 1024 * 1024));
    await client.uploadData(data, "v.bin");
    assert.equal(sha(readFileSync(join(server.root, "v.bin"))), sha(data));
    assert.equal(sha(await client.downloadData("v.bin")), sha(data));
    assert.deepEqual((await client.list("")).map((e) => e.name), ["v.bin"]);
  });

  it("a wrong proxy password, a missing one, and an unreachable target are ProxyErrors", async () => {
    await using srv = await startServer({ users: [{ login: "u", password: "p" }], loginFailureDelay: 0 });
    const url = `ftp://u:p@127.0.0.1:${srv.port}`;
    const wrong = socks5Net({ hostname: proxy.host, port: proxy.port, username: "proxyuser", password: "nope" });
    await assert.rejects(Client.connect(url, { ...opts, net: wrong }), (e) => e instanceof ProxyError && e.reason === "auth");
    const none = socks5Net({ hostname: proxy.host, port: proxy.port });
    await assert.rejects(Client.connect(url, { ...opts, net: none }), (e) => e instanceof ProxyError && e.reason === "method");
    // A port nobody listens on: the proxy reports the failure.
    const closed = await startServer({ users: [] });
    const deadPort = closed.port;
    await closed[Symbol.asyncDispose]();
    const ok = socks5Net({ hostname: open.host, port: open.port });
    await assert.rejects(
      Client.connect(`ftp://u:p@127.0.0.1:${deadPort}`, { ...opts, net: ok }),
      (e) => e instanceof ProxyError && e.reason === "connect",
    );
    // Active mode needs a listener the proxy cannot offer.
    await using client = await Client.connect(url, { ...opts, net: ok, mode: "active" });
    await assert.rejects(client.list("/").then((l) => l), UnsupportedError);
  });
});

describe("client through Dante's SOCKS5 server", { skip: !haveDante() }, () => {
  it("uploads, downloads and lists with our server in passive mode, hashes equal", async () => {
    await using proxy = await startDante();
    await using srv = await startServer({ users: [{ login: "u", password: "p" }], loginFailureDelay: 0 });
    const dialled: string[] = [];
    const net = socks5Net({ hostname: proxy.host, port: proxy.port, net: recording(await defaultNet(), dialled) });
    await using client = await Client.connect(`ftp://u:p@127.0.0.1:${srv.port}`, { ...opts, net });
    const data = new Uint8Array(randomBytes(2 * 1024 * 1024 + 1));
    await client.uploadData(data, "/dante.bin");
    assert.equal(sha(await client.downloadData("/dante.bin")), sha(data));
    assert.deepEqual((await client.list("/")).map((e) => e.name), ["dante.bin"]);
    assert.ok(dialled.length >= 4 && dialled.every((d) => d === `${proxy.host}:${proxy.port}`), dialled.join(" "));
  });
});
