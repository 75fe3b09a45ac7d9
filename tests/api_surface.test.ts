// The public option surface: client and server spell each shared concept the same way, the
// documented defaults are the real ones, and the deprecated 0.1 names still work (mapped to
// the new ones, which win). See ARCHITECTURE.md, "Naming and option types".
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client, type ClientOptions, MemoryPathIO, Server, type ServerListenOptions, type ServerOptions, type SpeedLimits, Throttle } from "../mod.ts";
import { resolveOptions } from "../src/client/_options.ts";
import { S3Error, S3PathIO, type S3PathIOOptions } from "../src/fs/s3/mod.ts";
import { PathIOError } from "../src/errors.ts";
import { startTestServer } from "../src/testing/mod.ts";
import { TEST_CERT, TEST_KEY } from "./_support/mod.ts";
import { srcDir } from "./_support/source_tree.ts";

// ---- Compiled checks (tsc and deno check fail when the option sets drift apart) ----

/** The concepts both sides have, under one key each. */
type SharedKey = "net" | "encoding" | "maxLineLength" | "dataTimeout" | "speedLimits" | "storage" | "tls";
type HasKeys<T, K extends PropertyKey> = [Exclude<K, keyof T>] extends [never] ? true : false;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Defined<T> = Exclude<T, undefined>;

const compiled: readonly true[] = [
  true satisfies HasKeys<ClientOptions, SharedKey>,
  true satisfies HasKeys<ServerOptions, SharedKey>,
  // The mode of FTPS: a client option, a server listen option, the same values.
  true satisfies Same<Defined<ClientOptions["tlsMode"]>, Defined<ServerListenOptions["tlsMode"]>>,
  // Bandwidth caps say download/upload on both sides (and for users).
  true satisfies HasKeys<Defined<ClientOptions["speedLimits"]>, "download" | "upload">,
  true satisfies HasKeys<SpeedLimits, "download" | "upload">,
  // Durations in ms have no unit suffix, on S3 too.
  true satisfies HasKeys<S3PathIOOptions, "retryDelay" | "requestTimeout">,
  // The deprecated aliases are still accepted (removing one is a breaking change).
  true satisfies HasKeys<ClientOptions, "readSpeedLimit" | "writeSpeedLimit" | "localFs" | "tlsOptions">,
  true satisfies Same<Extract<ClientOptions["tls"], string>, "implicit" | "explicit">,
  true satisfies HasKeys<ServerOptions, "dataConnectionTimeout">,
  true satisfies HasKeys<ServerListenOptions, "implicitTls">,
  true satisfies HasKeys<S3PathIOOptions, "retryDelayMs" | "requestTimeoutMs">,
];

// Callers spread partial configs: every optional option field accepts `undefined`.
const maybe = (n: number): number | undefined => (n > 0 ? n : undefined);
const partial: ClientOptions = { dataTimeout: maybe(0), speedLimits: { download: maybe(0) }, tls: undefined };
const partialServer: ServerOptions = { dataTimeout: maybe(0), speedLimits: { upload: maybe(0) }, tls: undefined };

// ---- The documented defaults ----

/** The JSDoc `@default` of `key` inside `interface name` of a source file, or undefined. */
function documentedDefault(file: string, name: string, key: string): string | undefined {
  const source = readFileSync(join(srcDir(), file), "utf8");
  const start = source.indexOf(`export interface ${name} `);
  assert.ok(start >= 0, `interface ${name} in ${file}`);
  const body = source.slice(start, source.indexOf("\n}\n", start));
  const field = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*readonly ${key}\\?:`).exec(body);
  assert.ok(field, `${name}.${key} is documented in ${file}`);
  const doc = (field[1] ?? "").replace(/\s*\*\s*/g, " ");
  return /@default (\S+)/.exec(doc)?.[1];
}

/** `{ old: new }` of every `@deprecated … use \`new\`` field of `interface name`. */
function deprecatedFields(file: string, name: string): Record<string, string> {
  const source = readFileSync(join(srcDir(), file), "utf8");
  const start = source.indexOf(`export interface ${name} `);
  const body = source.slice(start, source.indexOf("\n}\n", start));
  const out: Record<string, string> = {};
  for (const m of body.matchAll(/\/\*\* @deprecated [^*]*?use `([\w.]+)[^`]*`[^*]*\*\/\s*readonly (\w+)\?:/g)) {
    out[m[2] ?? ""] = m[1] ?? "";
  }
  return out;
}

describe("option surface", () => {
  it("the compiled checks hold and partial configs with undefined fields are accepted", () => {
    assert.equal(compiled.length, 11);
    assert.equal(partial.dataTimeout, undefined);
    assert.equal(partialServer.dataTimeout, undefined);
  });

  it("shared concepts have a documented default on both sides; the client's are the real ones", () => {
    const resolved = resolveOptions({});
    const client = (key: string) => documentedDefault("client/options.ts", "ClientOptions", key);
    const server = (key: string) => documentedDefault("server/server.ts", "ServerOptions", key);
    for (const key of ["dataTimeout", "encoding", "maxLineLength", "speedLimits", "storage", "net"]) {
      assert.notEqual(client(key), undefined, `ClientOptions.${key} has @default`);
      assert.notEqual(server(key), undefined, `ServerOptions.${key} has @default`);
    }
    // The same concept, the same default on both sides.
    assert.equal(client("dataTimeout"), server("dataTimeout"));
    assert.equal(client("encoding"), server("encoding"));
    assert.equal(
      documentedDefault("client/options.ts", "ClientOptions", "tlsMode"),
      "undefined",
      "the client is plain FTP unless told",
    );
    assert.equal(documentedDefault("server/server.ts", "ServerListenOptions", "tlsMode"), '"explicit"');
    // What the client runs with when nothing is given.
    assert.equal(String(resolved.dataTimeout), client("dataTimeout"));
    assert.equal(JSON.stringify(resolved.encoding), client("encoding"));
    assert.equal(String(resolved.maxLineLength), client("maxLineLength"));
    assert.deepEqual(resolved.speedLimits, { download: Infinity, upload: Infinity });
    assert.equal(resolved.tlsMode, undefined);
    assert.equal(resolved.tls, undefined);
  });

  it("every deprecated alias is documented with its new name", () => {
    assert.deepEqual(deprecatedFields("client/options.ts", "ClientOptions"), {
      readSpeedLimit: "speedLimits.download",
      writeSpeedLimit: "speedLimits.upload",
      tlsOptions: "tls",
      localFs: "storage",
    });
    assert.deepEqual(deprecatedFields("server/server.ts", "ServerOptions"), { dataConnectionTimeout: "dataTimeout" });
    assert.deepEqual(deprecatedFields("server/server.ts", "ServerListenOptions"), { implicitTls: "tlsMode" });
    assert.deepEqual(deprecatedFields("fs/s3/s3_path_io.ts", "S3PathIOOptions"), {
      retryDelayMs: "retryDelay",
      requestTimeoutMs: "requestTimeout",
    });
  });
});

describe("deprecated aliases", () => {
  it("client: readSpeedLimit, writeSpeedLimit, localFs, tlsOptions and tls as a string map to the new names", () => {
    const shared = new Throttle({ bytesPerSecond: 1000 });
    const storage = () => new MemoryPathIO();
    const details = { caCerts: [TEST_CERT] };
    const old = resolveOptions({ readSpeedLimit: 5, writeSpeedLimit: shared, localFs: storage, tlsOptions: details, tls: "implicit" });
    assert.deepEqual(old.speedLimits, { download: 5, upload: shared });
    assert.equal(old.storage, storage);
    assert.equal(old.tls, details);
    assert.equal(old.tlsMode, "implicit");
    assert.equal(resolveOptions({ tls: "explicit" }).tlsMode, "explicit");
    // The new name wins when both are given.
    const other = () => new MemoryPathIO();
    const both = resolveOptions({
      readSpeedLimit: 5,
      speedLimits: { download: 7 },
      writeSpeedLimit: 9,
      localFs: storage,
      storage: other,
      tlsOptions: details,
      tls: { serverName: "x" },
      tlsMode: "explicit",
    });
    assert.deepEqual(both.speedLimits, { download: 7, upload: 9 });
    assert.equal(both.storage, other);
    assert.deepEqual(both.tls, { serverName: "x" });
    assert.equal(both.tlsMode, "explicit");
    // TLS details alone do not start TLS (as tlsOptions did not).
    assert.equal(resolveOptions({ tls: details }).tlsMode, undefined);
  });

  it("server: dataConnectionTimeout is read as dataTimeout (validated under the new name; the new name wins)", () => {
    assert.throws(() => new Server({ dataConnectionTimeout: -1 }), /dataTimeout must be a positive number, got -1/);
    assert.throws(() => new Server({ dataTimeout: -2, dataConnectionTimeout: 5 }), /got -2/);
    assert.doesNotThrow(() => new Server({ dataTimeout: 5, dataConnectionTimeout: -1 }));
  });

  it("server implicitTls and client tls/tlsOptions (0.1) interoperate with tlsMode and tls (now)", async () => {
    await assert.rejects(new Server().listen({ implicitTls: true }), /tlsMode: "implicit"/);
    await assert.rejects(new Server().listen({ tlsMode: "bogus" as "implicit" }), RangeError);
    await using srv = await startTestServer({ tls: { cert: TEST_CERT, key: TEST_KEY }, files: { "/a.txt": "hi" } });
    const oldPort = (await srv.server.listen({ hostname: "127.0.0.1", port: 0, implicitTls: true })).port;
    const newPort = (await srv.server.listen({ hostname: "127.0.0.1", port: 0, tlsMode: "implicit" })).port;
    const bounded = { connectTimeout: 10_000, socketTimeout: 10_000, dataTimeout: 10_000 };
    const clients: [string, number, ClientOptions][] = [
      ["0.1 client names, 0.1 listener", oldPort, { tls: "implicit", tlsOptions: { caCerts: [TEST_CERT] } }],
      ["new client names, new listener", newPort, { tlsMode: "implicit", tls: { caCerts: [TEST_CERT] } }],
      ["new client names, 0.1 listener", oldPort, { tlsMode: "implicit", tls: { caCerts: [TEST_CERT] } }],
    ];
    for (const [what, port, options] of clients) {
      // A plain client on an implicit-TLS port, or a TLS client on a plain one, fails (bounded).
      await using client = await Client.connect({ host: "127.0.0.1", port }, { ...bounded, ...options });
      assert.equal(new TextDecoder().decode(await client.downloadData("/a.txt")), "hi", what);
    }
    // And the explicit listener still speaks plain FTP first: explicit mode, AUTH TLS.
    await using explicit = await Client.connect({ host: "127.0.0.1", port: srv.port }, {
      ...bounded,
      tls: "explicit",
      tlsOptions: { caCerts: [TEST_CERT] },
    });
    assert.equal(await explicit.pwd(), "/");
  });

  it("S3PathIO: requestTimeoutMs is read as requestTimeout (the new name wins)", async () => {
    const silent = (_url: URL, init: RequestInit) =>
      new Promise<Response>((_, reject) => {
        init.signal?.addEventListener("abort", () => reject(new Error("aborted")));
      });
    const timeoutOf = async (options: Partial<S3PathIOOptions>): Promise<string> => {
      const fs = new S3PathIO({
        endpoint: "http://127.0.0.1:9",
        bucket: "b",
        credentials: { accessKeyId: "AK", secretAccessKey: "SK" },
        fetch: silent,
        maxAttempts: 1,
        ...options,
      });
      const e = await fs.stat("/x").then(() => undefined, (e: unknown) => e);
      assert.ok(e instanceof PathIOError && e.cause instanceof S3Error, String(e));
      return /within (\d+) ms/.exec(e.cause.message)?.[1] ?? "";
    };
    assert.equal(await timeoutOf({ requestTimeoutMs: 15 }), "15");
    assert.equal(await timeoutOf({ requestTimeout: 25 }), "25");
    assert.equal(await timeoutOf({ requestTimeout: 35, requestTimeoutMs: 15 }), "35");
  });
});
