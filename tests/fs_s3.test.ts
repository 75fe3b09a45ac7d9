/**
 * S3PathIO on a real S3 server (OpenStack Swift's s3api, started by tests/_support/peers/swift.ts):
 * what the conformance suite leaves out — the documented differences from a file system,
 * multipart uploads with bounded buffers, append and offset writes composed from part copies,
 * aborted uploads that leave nothing, paginated listings and directory renames, directories
 * without markers, prefixes, and S3 errors as PathIOErrors (retried when throttled).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PathIOError } from "../src/errors.ts";
import type { PathIO } from "../src/fs/path_io.ts";
import { S3PathIO, type S3PathIOOptions } from "../src/fs/s3/s3_path_io.ts";
import { S3Error } from "../src/fs/s3/s3_error.ts";
import { s3OptionsFromEnv } from "../src/fs/s3/s3_env.ts";
import { S3_ACCESS_KEY, S3_SECRET_KEY, type S3Server, skipUnlessS3, startS3Server } from "./_support/mod.ts";
import { sha256 as sha } from "./_support/mod.ts";

const BUCKET = "fs-s3";
const MiB = 1024 * 1024;
const enc = new TextEncoder();
const dec = new TextDecoder();
let s3: S3Server;
let n = 0;

function storage(options: Partial<S3PathIOOptions> = {}): S3PathIO {
  return new S3PathIO({
    endpoint: s3.endpoint,
    bucket: BUCKET,
    prefix: `case${++n}`,
    credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY },
    partSize: 5 * MiB,
    ...options,
  });
}

function pattern(size: number, seed = 1): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + seed * 7 + (i >> 13)) & 0xff;
  return data;
}


/** Resolves after `ms` (unref'd): bounds a wait that only a missing feature would make endless. */
function hangGuard(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    (t as { unref?: () => void }).unref?.();
  });
}

async function write(fs: S3PathIO, path: string, data: Uint8Array | string, options = {}): Promise<void> {
  const w = (await fs.openWrite(path, options)).getWriter();
  const bytes = typeof data === "string" ? enc.encode(data) : data;
  for (let i = 0; i < bytes.length || i === 0; i += 256 * 1024) await w.write(bytes.subarray(i, i + 256 * 1024));
  await w.close();
}

async function read(fs: S3PathIO, path: string, offset = 0): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const reader = (await fs.openRead(path, { offset })).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The part number of an UploadPart request, 0 for any other request. */
function partNumber(url: URL): number {
  return Number(url.searchParams.get("partNumber") ?? 0);
}

async function names(fs: S3PathIO, path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of fs.list(path)) out.push(e.name);
  return out.sort();
}

/** Keys and unfinished uploads under the storage's prefix, straight from the bucket. */
async function bucketState(fs: S3PathIO): Promise<{ keys: string[]; uploads: number }> {
  const client = s3.client(BUCKET);
  const page = await client.list({ prefix: fs.prefix });
  return {
    keys: page.objects.map((o) => o.key.slice(fs.prefix.length)).sort(),
    uploads: (await client.listMultipart(fs.prefix)).length,
  };
}

describe("S3PathIO addressing (no server)", () => {
  it("path style puts the bucket in the path, virtual-hosted in the host name; keys are encoded once", async () => {
    const seen: { url: string; auth: string }[] = [];
    const record = (url: URL, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      seen.push({ url: url.href, auth: headers.authorization ?? "" });
      return Promise.resolve(new Response(null, { status: 404 }));
    };
    const options = {
      endpoint: "https://s3.example.test:9000",
      bucket: "bkt",
      prefix: "/p/",
      credentials: { accessKeyId: "AK", secretAccessKey: "SK" },
      region: "eu-west-3",
      fetch: record,
    };
    await new S3PathIO(options).openRead("/a b/ü+(1).txt").catch(() => {});
    await new S3PathIO({ ...options, pathStyle: false }).openRead("/x").catch(() => {});
    assert.equal(seen[0]!.url, "https://s3.example.test:9000/bkt/p/a%20b/%C3%BC%2B%281%29.txt");
    assert.match(seen[0]!.auth, /^AWS4-HMAC-SHA256 Credential=AK\/\d{8}\/eu-west-3\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
    assert.ok(seen.some((s) => s.url === "https://bkt.s3.example.test:9000/p/x"), seen.map((s) => s.url).join(" "));
  });
});

describe("S3PathIO on a real S3 server", { skip: skipUnlessS3() }, () => {
  before(async () => {
    s3 = await startS3Server();
    await s3.createBucket(BUCKET);
  });
  after(() => s3?.close());

  it("differs by design: no setMtime/chmod (MFMT, SITE CHMOD answer 502)", () => {
    const fs: PathIO = storage();
    assert.equal(fs.setMtime, undefined);
    assert.equal(fs.chmod, undefined);
  });

  it("differs by design: concurrent appenders do not see each other; the last to close wins", async () => {
    const fs = storage();
    await write(fs, "/log", "");
    const a = (await fs.openWrite("/log", { append: true })).getWriter();
    const b = (await fs.openWrite("/log", { append: true })).getWriter();
    await a.write(enc.encode("1"));
    await b.write(enc.encode("2"));
    await a.write(enc.encode("3"));
    await a.close();
    assert.equal(dec.decode(await read(fs, "/log")), "13");
    await b.close();
    assert.equal(dec.decode(await read(fs, "/log")), "2");
  });

  it("differs by design: an aborted write leaves no object and no parts, and the old object intact", async () => {
    const fs = storage();
    const small = (await fs.openWrite("/g")).getWriter();
    await small.write(enc.encode("partial"));
    await small.abort(new Error("client went away"));
    assert.equal(await fs.exists("/g"), false);
    await write(fs, "/old", "old content");
    const big = (await fs.openWrite("/old")).getWriter();
    await big.write(pattern(12 * MiB)); // two parts are on the server by now
    assert.equal((await bucketState(fs)).uploads, 1);
    await big.abort(new Error("ABOR"));
    assert.deepEqual(await bucketState(fs), { keys: ["old"], uploads: 0 });
    assert.equal(dec.decode(await read(fs, "/old")), "old content");
  });

  it("a multipart upload keeps at most partsInFlight parts on the wire, parts of partSize", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let biggestBody = 0;
    let parts = 0;
    // Part 1 waits for part 2 to start: both are on the wire together, whatever the timing.
    let secondStarted!: () => void;
    const second = new Promise<void>((resolve) => (secondStarted = resolve));
    const fs = storage({
      partsInFlight: 2,
      fetch: async (url, init) => {
        const part = partNumber(url);
        if (part > 0) {
          parts++;
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          biggestBody = Math.max(biggestBody, (init.body as Uint8Array).byteLength);
          if (part === 2) secondStarted();
          if (part === 1) await Promise.race([second, hangGuard(10_000)]);
        }
        try {
          return await fetch(url, init);
        } finally {
          if (part > 0) inFlight--;
        }
      },
    });
    const data = pattern(23 * MiB + 17);
    await write(fs, "/big.bin", data);
    assert.equal(parts, 5);
    assert.equal(maxInFlight, 2);
    assert.equal(biggestBody, 5 * MiB);
    assert.equal((await fs.stat("/big.bin")).size, data.length);
    assert.equal(sha(await read(fs, "/big.bin")), sha(data));
    assert.equal(sha(await read(fs, "/big.bin", 7 * MiB + 3)), sha(data.subarray(7 * MiB + 3)));
    assert.equal((await bucketState(fs)).uploads, 0);
  });

  it("a refused part stops the next one waiting for its slot (signed ahead, never sent); nothing is left", async () => {
    const sent: number[] = [];
    const fs = storage({
      partsInFlight: 1,
      fetch: async (url, init) => {
        const part = partNumber(url);
        if (part > 0) sent.push(part);
        if (part === 1) {
          // Refused (not retried) once part 2 is full and waiting for the slot.
          await new Promise((r) => setTimeout(r, 200));
          return new Response("<Error><Code>AccessDenied</Code><Message>no</Message></Error>", { status: 403 });
        }
        return await fetch(url, init);
      },
    });
    const w = (await fs.openWrite("/refused.bin")).getWriter();
    const written = w.write(pattern(12 * MiB)); // part 1 sent, part 2 full, the rest filling
    await assert.rejects(
      (async () => {
        await written;
        await w.close();
      })(),
      (e: unknown) => e instanceof PathIOError && e.kind === "permission",
    );
    assert.deepEqual(sent, [1]);
    await w.abort().catch(() => {});
    let state = await bucketState(fs);
    for (let i = 0; i < 50 && state.uploads > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = await bucketState(fs);
    }
    assert.deepEqual(state, { keys: [], uploads: 0 });
  });

  it("an abort cancels the parts on the wire, then aborts the multipart upload: nothing is left", async () => {
    const cancelled: number[] = [];
    const fs = storage({
      partsInFlight: 3,
      fetch: async (url, init) => {
        const part = partNumber(url);
        if (part >= 2) {
          // Parts 2 and 3 stay on the wire until cancelled (part 1 is really stored).
          await Promise.race([
            hangGuard(10_000),
            new Promise<void>((_, reject) => {
              init.signal!.addEventListener("abort", () => {
                cancelled.push(part);
                reject(init.signal!.reason);
              });
            }),
          ]);
        }
        return await fetch(url, init);
      },
    });
    await write(fs, "/keep", "old content");
    const w = (await fs.openWrite("/keep")).getWriter();
    await w.write(pattern(16 * MiB)); // parts 1-3 sent, the 4th filling
    assert.equal((await bucketState(fs)).uploads, 1);
    await w.abort(new Error("ABOR"));
    assert.deepEqual(cancelled.sort(), [2, 3]);
    assert.deepEqual(await bucketState(fs), { keys: ["keep"], uploads: 0 });
    assert.equal(dec.decode(await read(fs, "/keep")), "old content");
  });

  it("streamingUpload: one streamed PUT of unknown length past one part, a plain PUT below", async () => {
    const seen: string[] = [];
    const fs = storage({
      streamingUpload: true,
      fetch: (url, init) => {
        const body = init.body instanceof ReadableStream ? "stream" : init.body ? "bytes" : "none";
        seen.push(`${init.method} ${url.search === "" ? "" : url.search.slice(1).split("=")[0]} ${body}`);
        return fetch(url, init);
      },
    });
    const data = pattern(13 * MiB + 5);
    seen.length = 0;
    await write(fs, "/s.bin", data);
    assert.deepEqual(seen.filter((s) => s.startsWith("PUT") || s.startsWith("POST")), ["PUT  stream"]);
    assert.equal(sha(await read(fs, "/s.bin")), sha(data));
    seen.length = 0;
    await write(fs, "/small", "fits in one part");
    assert.deepEqual(seen.filter((s) => s.startsWith("PUT")), ["PUT  bytes"]);
    // Append composes from part copies: multipart, streaming or not.
    await write(fs, "/s.bin", "tail", { append: true });
    assert.equal((await fs.stat("/s.bin")).size, data.length + 4);
    assert.equal((await bucketState(fs)).uploads, 0);
  });

  it("an announced size (ALLO) past one part is one PUT with that Content-Length; another count stores nothing", async () => {
    const seen: string[] = [];
    const recording = (url: URL, init: RequestInit) => {
      if (init.method === "PUT" || init.method === "POST") {
        const length = (init.headers as Record<string, string>)["content-length"] ?? "-";
        const body = init.body instanceof ReadableStream ? "stream" : init.body ? "bytes" : "none";
        seen.push(`${init.method} ${url.search === "" ? "" : url.search.slice(1).split("=")[0]} ${body} ${length}`);
      }
      return fetch(url, init);
    };
    const fs = storage({ fetch: recording });
    const data = pattern(13 * MiB + 5);
    await write(fs, "/sized.bin", data, { size: data.length });
    assert.deepEqual(seen, [`PUT  stream ${data.length}`]);
    assert.equal(sha(await read(fs, "/sized.bin")), sha(data));
    // Fewer bytes than announced: the close rejects; more: the write past the size rejects.
    await assert.rejects(write(fs, "/short.bin", data.subarray(0, 10 * MiB), { size: data.length }), (e: unknown) =>
      e instanceof PathIOError && /10485760 of the 13631493 bytes announced/.test(String((e.cause as Error).message)));
    await assert.rejects(write(fs, "/long.bin", data, { size: 9 * MiB }), (e: unknown) =>
      e instanceof PathIOError && /more bytes arrived than the 9437184 announced/.test(String((e.cause as Error).message)));
    await assert.rejects(write(fs, "/small.bin", "eleven char", { size: 3 }), PathIOError);
    for (const name of ["/short.bin", "/long.bin", "/small.bin"]) assert.equal(await fs.exists(name), false, name);
    assert.equal((await bucketState(fs)).uploads, 0);
    // sizedUpload: false (a server on Deno in front of AWS S3): multipart as without a size.
    seen.length = 0;
    await write(storage({ fetch: recording, sizedUpload: false }), "/multi.bin", data, { size: data.length });
    assert.deepEqual(seen.map((s) => s.split(" ").slice(0, 2).join(" ")), [
      "POST uploads",
      "PUT partNumber",
      "PUT partNumber",
      "PUT partNumber",
      "POST uploadId",
    ]);
  });

  it("streamingUpload: an abort mid-body leaves no object and the old one intact", async () => {
    const fs = storage({ streamingUpload: true });
    await write(fs, "/old", "old content");
    const w = (await fs.openWrite("/old")).getWriter();
    await w.write(pattern(7 * MiB)); // the streamed PUT is under way
    await w.abort(new Error("ABOR"));
    assert.deepEqual(await bucketState(fs), { keys: ["old"], uploads: 0 });
    assert.equal(dec.decode(await read(fs, "/old")), "old content");
  });

  it("streamingUpload: a server that refuses a PUT of unknown length fails the write, no hang", async () => {
    const fs = storage({
      streamingUpload: true,
      fetch: async (url, init) => {
        if (!(init.body instanceof ReadableStream)) return await fetch(url, init);
        await init.body.cancel();
        const body = "<Error><Code>MissingContentLength</Code><Message>You must provide the Content-Length HTTP header.</Message></Error>";
        return new Response(body, { status: 411 });
      },
    });
    const w = (await fs.openWrite("/refused")).getWriter();
    const writes = (async () => {
      for (let i = 0; i < 64; i++) await w.write(pattern(MiB, i));
      await w.close();
    })();
    await assert.rejects(writes, (e: unknown) => {
      assert.ok(e instanceof PathIOError, String(e));
      assert.equal(e.kind, "io");
      assert.equal((e.cause as S3Error).code, "MissingContentLength");
      return true;
    });
    assert.equal(await fs.exists("/refused"), false);
  });

  it("append and offset writes on large objects are composed from server-side part copies", async () => {
    const copies: string[] = [];
    const fs = storage({
      fetch: (url, init) => {
        const range = (init.headers as Record<string, string>)["x-amz-copy-source-range"];
        if (range) copies.push(range);
        return fetch(url, init);
      },
    });
    const base = pattern(11 * MiB, 2);
    await write(fs, "/f", base);
    const tail = pattern(3 * MiB, 3);
    await write(fs, "/f", tail, { append: true });
    assert.deepEqual(copies, [`bytes=0-${11 * MiB - 1}`]);
    const appended = new Uint8Array([...base, ...tail]);
    assert.equal(sha(await read(fs, "/f")), sha(appended));
    // Overwrite 1 MiB in the middle: prefix copied, new bytes, tail copied.
    copies.length = 0;
    const patch = pattern(MiB, 4);
    await write(fs, "/f", patch, { offset: 6 * MiB });
    const expected = appended.slice();
    expected.set(patch, 6 * MiB);
    assert.equal(sha(await read(fs, "/f")), sha(expected));
    // The tail is read up to the next part boundary (4 MiB), the 3 MiB left are too small
    // to be a middle part: read too.
    assert.deepEqual(copies, [`bytes=0-${6 * MiB - 1}`]);
    // Past the end pads with NUL.
    await write(fs, "/short", "ab");
    await write(fs, "/short", "Z", { offset: 5 });
    assert.equal(dec.decode(await read(fs, "/short")), "ab\0\0\0Z");
    assert.equal((await bucketState(fs)).uploads, 0);
  });

  it("listings are paginated and directory renames move every key, page by page", async () => {
    const fs = storage({ listPageSize: 7 });
    await fs.mkdir("/tree/sub/deeper", { parents: true });
    const expected: string[] = [];
    for (let i = 0; i < 23; i++) {
      await write(fs, `/tree/f${String(i).padStart(2, "0")}`, `file ${i}`);
      expected.push(`f${String(i).padStart(2, "0")}`);
    }
    await write(fs, "/tree/sub/deeper/x", "x");
    assert.deepEqual(await names(fs, "/tree"), [...expected, "sub"].sort());
    await fs.rename("/tree", "/moved");
    assert.equal(await fs.exists("/tree"), false);
    assert.deepEqual(await names(fs, "/moved"), [...expected, "sub"].sort());
    assert.equal(dec.decode(await read(fs, "/moved/sub/deeper/x")), "x");
    assert.equal(dec.decode(await read(fs, "/moved/f22")), "file 22");
    assert.equal((await bucketState(fs)).keys.filter((k) => k.startsWith("tree")).length, 0);
  });

  it("prefixes made by other tools are directories; emptying one keeps it", async () => {
    const fs = storage();
    await s3.client(BUCKET).put(`${fs.prefix}ext/a/b.txt`, enc.encode("from elsewhere"));
    assert.equal(await fs.isDir("/ext"), true);
    assert.equal(await fs.isDir("/ext/a"), true);
    assert.deepEqual(await names(fs, "/ext"), ["a"]);
    assert.equal((await fs.stat("/ext/a")).mtime.getTime(), 0);
    await fs.unlink("/ext/a/b.txt");
    assert.equal(await fs.isDir("/ext/a"), true);
    assert.deepEqual(await names(fs, "/ext/a"), []);
    await fs.rmdir("/ext/a");
    assert.deepEqual(await names(fs, "/ext"), []);
  });

  it("the prefix is the root: nothing outside it is seen or reached", async () => {
    const a = storage();
    const b = storage();
    await write(a, "/secret", "a's");
    assert.deepEqual(await names(b, "/"), []);
    assert.equal(await b.exists("/../" + a.prefix + "secret"), false);
    await write(b, "/../../x", "b's");
    assert.deepEqual((await bucketState(b)).keys, ["x"]);
  });

  it("S3 errors become PathIOErrors with the S3Error as cause", async () => {
    const wrongKey = storage({ credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: "wrong" } });
    await assert.rejects(wrongKey.stat("/x"), (e: unknown) => {
      assert.ok(e instanceof PathIOError);
      assert.equal(e.kind, "permission");
      assert.ok(e.cause instanceof S3Error);
      assert.equal(e.cause.status, 403);
      return true;
    });
    const noBucket = storage({ bucket: "no-such-bucket" });
    await assert.rejects(noBucket.openWrite("/x").then((s) => s.getWriter().close()), (e: unknown) => {
      assert.ok(e instanceof PathIOError);
      assert.equal(e.kind, "not-found");
      assert.equal((e.cause as S3Error).code, "NoSuchBucket");
      return true;
    });
  });

  it("SlowDown and 503 are retried with backoff, then reported as kind io", async () => {
    let refusals = 2;
    const flaky = (url: URL, init: RequestInit) => {
      if (refusals-- > 0) {
        const body = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
        return Promise.resolve(new Response(body, { status: 503 }));
      }
      return fetch(url, init);
    };
    const fs = storage({ fetch: flaky, retryDelayMs: 1 });
    await write(fs, "/ok", "survived");
    assert.equal(dec.decode(await read(fs, "/ok")), "survived");
    const always = storage({ fetch: () => Promise.resolve(new Response("", { status: 503 })), retryDelayMs: 1, maxAttempts: 3 });
    await assert.rejects(always.stat("/x"), (e: unknown) => {
      assert.ok(e instanceof PathIOError);
      assert.equal(e.kind, "io");
      assert.equal((e.cause as S3Error).status, 503);
      return true;
    });
  });

  it("a server that never answers is a bounded wait: timeout, retry, then kind io", async () => {
    let attempts = 0;
    const silent = (_url: URL, init: RequestInit) =>
      new Promise<Response>((_, reject) => {
        attempts++;
        init.signal!.addEventListener("abort", () => reject(new Error("aborted")));
      });
    const fs = storage({ fetch: silent, requestTimeoutMs: 20, retryDelayMs: 1, maxAttempts: 2 });
    await assert.rejects(fs.openRead("/x"), (e: unknown) => {
      assert.ok(e instanceof PathIOError);
      assert.equal(e.kind, "io");
      assert.equal((e.cause as S3Error).code, "Timeout");
      return true;
    });
    assert.equal(attempts, 2);
  });

  it("s3OptionsFromEnv reads the standard AWS variables", () => {
    const o = s3OptionsFromEnv({
      AWS_ACCESS_KEY_ID: "AK",
      AWS_SECRET_ACCESS_KEY: "SK",
      AWS_SESSION_TOKEN: "T",
      AWS_DEFAULT_REGION: "eu-west-3",
      AWS_ENDPOINT_URL: "http://127.0.0.1:1",
    });
    assert.deepEqual(o, {
      credentials: { accessKeyId: "AK", secretAccessKey: "SK", sessionToken: "T" },
      region: "eu-west-3",
      endpoint: "http://127.0.0.1:1",
    });
    assert.throws(() => s3OptionsFromEnv({ AWS_ACCESS_KEY_ID: "AK" }), /AWS_SECRET_ACCESS_KEY/);
    const keys = { AWS_ACCESS_KEY_ID: "AK", AWS_SECRET_ACCESS_KEY: "SK" };
    const tuned = s3OptionsFromEnv({
      ...keys,
      ANYFTP_S3_PART_SIZE: String(16 * MiB),
      ANYFTP_S3_PARTS_IN_FLIGHT: "6",
      ANYFTP_S3_STREAMING_UPLOAD: "1",
    });
    assert.deepEqual([tuned.partSize, tuned.partsInFlight, tuned.streamingUpload], [16 * MiB, 6, true]);
    assert.equal(s3OptionsFromEnv({ ...keys, ANYFTP_S3_STREAMING_UPLOAD: "0" }).streamingUpload, false);
    assert.equal(s3OptionsFromEnv({ ...keys, ANYFTP_S3_SIZED_UPLOAD: "0" }).sizedUpload, false);
    assert.equal(s3OptionsFromEnv(keys).sizedUpload, undefined);
    assert.throws(() => s3OptionsFromEnv({ ...keys, ANYFTP_S3_SIZED_UPLOAD: "no" }), /ANYFTP_S3_SIZED_UPLOAD/);
    assert.throws(() => s3OptionsFromEnv({ ...keys, ANYFTP_S3_PARTS_IN_FLIGHT: "four" }), /ANYFTP_S3_PARTS_IN_FLIGHT/);
    assert.throws(() => s3OptionsFromEnv({ ...keys, ANYFTP_S3_STREAMING_UPLOAD: "yes" }), /ANYFTP_S3_STREAMING_UPLOAD/);
  });
});
