/**
 * Real FTP clients drive our server (in this test's runtime) on S3PathIO backed by a real S3
 * server (OpenStack Swift's s3api): curl moves 256 MiB both ways checked by hash and resumes
 * a download (REST + RETR as a ranged GET) and an upload; lftp mirrors a tree both ways and
 * renames a directory, and an lftp put that announces its size (ALLO) is one PUT with that
 * Content-Length while a wrong ALLO stores nothing; curl sends a STOR as one streamed PUT (streamingUpload), and one cut
 * by ftplib leaves nothing (these two cases run over the runtime's fetch and over nodeHttpFetch); ftplib checks APPE, REST, the clean refusals of MFMT and SITE CHMOD,
 * that an upload aborted halfway leaves no object and no multipart parts in the bucket, and
 * that S3 refusals answer 550 and an unavailable S3 451.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  killPeers,
  PASSWORD,
  PYTHON,
  removeDir,
  runTool,
  type S3FtpServer,
  type S3Server,
  sha256File,
  skipUnless,
  skipUnlessS3,
  snapshotTree,
  startS3FtpServer,
  startS3Server,
  tempDir,
  type ToolResult,
  USER,
  writeRandomFile,
} from "./_support/mod.ts";
import { nodeHttpFetch } from "../src/net/node.ts";

const BUCKET = "interop";
/**
 * The uploads whose cut must leave nothing run over the runtime's `fetch` and over
 * `nodeHttpFetch` (what `anyftp serve --s3` uses on Node: node:http sends the body).
 */
const VIA = [
  { name: "fetch", fetch: (url: URL | string, init: RequestInit) => fetch(url, init) },
  { name: "nodeHttpFetch", fetch: nodeHttpFetch },
] as const;
const MiB = 1024 * 1024;
const skip = skipUnlessS3() || skipUnless("curl", ["--version"]) || skipUnless("lftp", ["--version"]);

function ok(r: ToolResult, what: string): void {
  assert.equal(r.timedOut, false, `${what}: timed out\n${r.out}\n${r.err}`);
  assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.out}\n${r.err}`);
}

describe("interop: curl, lftp and ftplib on a server backed by S3", { skip }, () => {
  let s3: S3Server;
  let ftp: S3FtpServer;
  let dir: string;

  const curl = (args: string[], timeoutMs = 120_000) =>
    runTool("curl", ["-sS", "--connect-timeout", "10", "--max-time", String(timeoutMs / 1000 - 2), "--user", `${USER}:${PASSWORD}`, ...args], {
      timeoutMs,
    });
  const lftp = (script: string) =>
    runTool("lftp", [
      "-c",
      [
        "set cmd:fail-exit yes",
        "set net:max-retries 1",
        "set net:timeout 20",
        "set ftp:ssl-allow no",
        "set xfer:clobber on",
        `open -u '${USER},${PASSWORD}' -p ${ftp.port} 127.0.0.1`,
        script,
      ].join("; "),
    ], { cwd: dir, timeoutMs: 120_000 });

  before(async () => {
    s3 = await startS3Server();
    await s3.createBucket(BUCKET);
    ftp = await startS3FtpServer(s3, { bucket: BUCKET, prefix: "srv" });
    dir = await tempDir("interop-s3");
  });
  after(async () => {
    killPeers();
    await ftp?.close();
    await s3?.close();
    await removeDir(dir);
  });

  it("curl: 256 MiB upload and download, identical by SHA-256; REST download from an offset", async () => {
    const src = join(dir, "big.bin");
    const digest = await writeRandomFile(src, 256 * MiB);
    ok(await curl(["-T", src, `${ftp.url}/big.bin`]), "curl upload");
    assert.equal((await ftp.storage.stat("/big.bin")).size, 256 * MiB);
    const back = join(dir, "big.back");
    ok(await curl(["-o", back, `${ftp.url}/big.bin`]), "curl download");
    assert.equal(await sha256File(back), digest);
    // Resume: keep the first 100 MiB + 5 bytes, let curl fetch the rest (REST + RETR).
    await truncate(back, 100 * MiB + 5);
    ok(await curl(["-C", "-", "-o", back, `${ftp.url}/big.bin`]), "curl resumed download");
    assert.equal(await sha256File(back), digest);
    await ftp.storage.unlink("/big.bin");
  });

  for (const via of VIA) {
    it(`curl: a streamed STOR (streamingUpload) is one PUT, identical by SHA-256; a cut one leaves nothing (${via.name})`, async () => {
      const streams: AbortSignal[] = [];
      const marker = join(dir, `second-put-streaming-${via.name}`);
      const streamed = await startS3FtpServer(s3, {
        bucket: BUCKET,
        prefix: `streamed-${via.name}`,
        storageOptions: {
          streamingUpload: true,
          fetch: (url, init) => {
            if (init.body instanceof ReadableStream && streams.push(init.signal!) === 2) void writeFile(marker, "");
            return via.fetch(url, init);
          },
        },
        serverOptions: { uploadPolicy: "in-place" },
      });
      try {
        const src = join(dir, "streamed.bin");
        const digest = await writeRandomFile(src, 64 * MiB + 3);
        ok(await curl(["-T", src, `${streamed.url}/s.bin`]), "curl streamed upload");
        assert.equal(streams.length, 1);
        assert.equal((await streamed.storage.stat("/s.bin")).size, 64 * MiB + 3);
        const back = join(dir, "streamed.back");
        ok(await curl(["-o", back, `${streamed.url}/s.bin`]), "curl download");
        assert.equal(await sha256File(back), digest);
        // Cut: ftplib sends 12 MiB, waits until the PUT streams (the marker), then resets both
        // connections (RST: a FIN would be a normal end of file); the server cancels the PUT.
        const script = `
import ftplib, json, os, socket, struct, sys, time
cfg = json.loads(sys.argv[1])
ftp = ftplib.FTP()
ftp.connect("127.0.0.1", cfg["port"], timeout=30)
ftp.login(cfg["user"], cfg["password"])
conn = ftp.transfercmd("STOR cut.bin")
for _ in range(12):
    conn.sendall(b"x" * (1024 * 1024))
for _ in range(600):
    if os.path.exists(cfg["marker"]):
        break
    time.sleep(0.05)
for s in (ftp.sock, conn):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
`;
        const cfg = JSON.stringify({ port: streamed.port, user: USER, password: PASSWORD, marker });
        ok(await runTool(PYTHON, ["-c", script, cfg], { timeoutMs: 60_000 }), "ftplib cut upload");
        for (let i = 0; i < 200 && streams.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal(streams.length, 2);
        for (let i = 0; i < 200 && !streams[1]!.aborted; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal(streams[1]!.aborted, true, "the streamed PUT was cancelled");
        assert.equal(await streamed.storage.exists("/cut.bin"), false);
        const client = s3.client(BUCKET);
        assert.deepEqual((await client.list({ prefix: `streamed-${via.name}/` })).objects.map((o) => o.key), [`streamed-${via.name}/s.bin`]);
        assert.equal((await client.listMultipart(`streamed-${via.name}/`)).length, 0);
      } finally {
        await streamed.close();
      }
    });

    it(`lftp: a put announces its size (ALLO): one PUT with that Content-Length; a wrong ALLO stores nothing (${via.name})`, async () => {
      const puts: { query: string; length: string | undefined; streamed: boolean }[] = [];
      const sized = await startS3FtpServer(s3, {
        bucket: BUCKET,
        prefix: `sized-${via.name}`,
        storageOptions: {
          fetch: (url, init) => {
            if (init.method === "PUT" || init.method === "POST") {
              const headers = init.headers as Record<string, string>;
              puts.push({ query: url.search, length: headers["content-length"], streamed: init.body instanceof ReadableStream });
            }
            return via.fetch(url, init);
          },
        },
        serverOptions: { uploadPolicy: "in-place" },
      });
      try {
        const src = join(dir, "sized.bin");
        const size = 20 * MiB + 7;
        const digest = await writeRandomFile(src, size);
        const r = await runTool("lftp", [
          "-c",
          [
            "set cmd:fail-exit yes",
            "set net:max-retries 1",
            "set ftp:ssl-allow no",
            "set ftp:use-allo yes", // lftp 4.9's default is no
            `debug -o '${join(dir, "lftp-allo.log")}' 9`,
            `open -u '${USER},${PASSWORD}' -p ${sized.port} 127.0.0.1`,
            "put sized.bin -o a.bin",
          ].join("; "),
        ], { cwd: dir, timeoutMs: 120_000 });
        ok(r, "lftp put");
        const log = await readFile(join(dir, "lftp-allo.log"), "utf8");
        assert.match(log, new RegExp(`---> ALLO ${size}\\b`), `lftp sent ALLO:\n${log}`);
        // One streamed PUT of the announced length; no multipart upload, no part.
        assert.deepEqual(puts, [{ query: "", length: String(size), streamed: true }]);
        const back = join(dir, "sized.back");
        ok(await curl(["-o", back, `${sized.url}/a.bin`]), "curl download");
        assert.equal(await sha256File(back), digest);
        // ftplib announces 20 MiB and sends 10 (the PUT is cut), then 1000 and sends 12 MiB
        // (refused at the 1001st byte): both fail with a reply naming ALLO, nothing stored.
        const script = `
import ftplib, io, json, sys
cfg = json.loads(sys.argv[1])
out = []
ftp = ftplib.FTP()
ftp.connect("127.0.0.1", cfg["port"], timeout=30)
ftp.login(cfg["user"], cfg["password"])
for name, announced, sent in (("short.bin", 20 * 1024 * 1024, 10 * 1024 * 1024), ("long.bin", 1000, 12 * 1024 * 1024)):
    ftp.voidcmd("TYPE I")
    ftp.sendcmd("ALLO %d" % announced)
    try:
        out.append(ftp.storbinary("STOR " + name, io.BytesIO(b"y" * sent)))
    except ftplib.Error as e:
        out.append(str(e))
    except OSError as e:
        out.append("OSError " + str(e))
        ftp = ftplib.FTP()
        ftp.connect("127.0.0.1", cfg["port"], timeout=30)
        ftp.login(cfg["user"], cfg["password"])
print(json.dumps(out))
`;
        const f = await runTool(PYTHON, ["-c", script, JSON.stringify({ port: sized.port, user: USER, password: PASSWORD })], {
          timeoutMs: 120_000,
        });
        ok(f, "ftplib wrong ALLO");
        const replies = JSON.parse(f.out) as string[];
        assert.equal(replies.length, 2);
        assert.equal(replies[0], "451 10485760 of the 20971520 bytes announced by ALLO arrived: upload discarded.");
        assert.match(replies[1]!, /^(552 More bytes arrived than the 1000 announced by ALLO: upload discarded\.|OSError)/);
        const client = s3.client(BUCKET);
        let state = { keys: [] as string[], uploads: -1 };
        for (let i = 0; i < 100; i++) {
          state = {
            keys: (await client.list({ prefix: `sized-${via.name}/` })).objects.map((o) => o.key),
            uploads: (await client.listMultipart(`sized-${via.name}/`)).length,
          };
          if (state.keys.length === 1 && state.uploads === 0) break;
          await new Promise((res) => setTimeout(res, 100));
        }
        assert.deepEqual(state, { keys: [`sized-${via.name}/a.bin`], uploads: 0 });
      } finally {
        await sized.close();
      }
    });
  }

  it("curl: an interrupted upload resumed with -C - (REST/APPE composed by part copies)", async () => {
    const src = join(dir, "resume.bin");
    const digest = await writeRandomFile(src, 13 * MiB + 11);
    const half = join(dir, "half.bin");
    await writeFile(half, (await readFile(src)).subarray(0, 7 * MiB));
    ok(await curl(["-T", half, `${ftp.url}/resume.bin`]), "curl first half");
    ok(await curl(["-C", "-", "-T", src, `${ftp.url}/resume.bin`]), "curl resume");
    const back = join(dir, "resume.back");
    ok(await curl(["-o", back, `${ftp.url}/resume.bin`]), "curl download");
    assert.equal(await sha256File(back), digest);
  });

  it("lftp: mirror a tree up and back identical, then rename the directory", async () => {
    const tree = join(dir, "tree");
    await writeRandomFile(join(tree, "top.bin"), 9 * MiB + 3); // multipart
    await writeFile(join(tree, "empty.txt"), "");
    await mkdir(join(tree, "empty-dir"), { recursive: true });
    await writeRandomFile(join(tree, "a", "b", "c", "deep.bin"), 70_001);
    await writeRandomFile(join(tree, "name with spaces", "file (1).bin"), 4_097);
    await writeRandomFile(join(tree, "ünïcødé ☃", "日本語.bin"), 3_333);
    ok(await lftp("mirror -R tree up"), "mirror -R");
    ok(await lftp("mirror up down"), "mirror");
    assert.deepEqual(await snapshotTree(join(dir, "down")), await snapshotTree(tree));
    ok(await lftp("mv up renamed"), "mv (RNFR/RNTO of a directory)");
    assert.equal(await ftp.storage.exists("/up"), false);
    ok(await lftp("mirror renamed down2"), "mirror renamed");
    assert.deepEqual(await snapshotTree(join(dir, "down2")), await snapshotTree(tree));
    ok(await lftp("rm -r renamed"), "rm -r");
    assert.equal(await ftp.storage.exists("/renamed"), false);
  });

  it("ftplib: APPE, REST, MFMT and SITE CHMOD refused with 502, an aborted upload leaves nothing", async () => {
    const script = `
import ftplib, io, json, socket, struct, sys
cfg = json.loads(sys.argv[1])
out = {}
ftp = ftplib.FTP()
ftp.connect("127.0.0.1", cfg["port"], timeout=30)
ftp.login(cfg["user"], cfg["password"])
data = bytes((i * 7 + (i >> 12)) & 255 for i in range(6 * 1024 * 1024 + 3))
ftp.storbinary("STOR f.bin", io.BytesIO(data[:1000]))
ftp.storbinary("APPE f.bin", io.BytesIO(data[1000:]))
out["size"] = ftp.size("f.bin")
got = bytearray()
ftp.retrbinary("RETR f.bin", got.extend, rest=4 * 1024 * 1024)
out["rest_ok"] = bytes(got) == data[4 * 1024 * 1024:]
def code(cmd):
    try:
        return ftp.sendcmd(cmd)[:3]
    except ftplib.Error as e:
        return str(e)[:3]
out["mfmt"] = code("MFMT 20200101000000 f.bin")
out["chmod"] = code("SITE CHMOD 600 f.bin")
out["mlst"] = ftp.sendcmd("MLST f.bin")
# An upload cut off halfway: 12 MiB sent (two parts stored), then both connections are
# reset (RST, not FIN: a FIN on the data connection would be a normal end of file).
conn = ftp.transfercmd("STOR aborted.bin")
chunk = b"x" * (1024 * 1024)
for _ in range(12):
    conn.sendall(chunk)
for s in (ftp.sock, conn):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
print(json.dumps(out))
`;
    const r = await runTool(PYTHON, ["-c", script, JSON.stringify({ port: ftp.port, user: USER, password: PASSWORD })], {
      timeoutMs: 120_000,
    });
    ok(r, "ftplib");
    const out = JSON.parse(r.out);
    assert.equal(out.size, 6 * MiB + 3);
    assert.equal(out.rest_ok, true);
    assert.equal(out.mfmt, "502");
    assert.equal(out.chmod, "502");
    assert.match(out.mlst, /size=6291459;/i);
    // The server aborts the upload when it notices the closed connection: wait for it (bounded).
    const client = s3.client(BUCKET);
    let state = { keys: [] as string[], uploads: -1 };
    for (let i = 0; i < 100; i++) {
      const keys = (await client.list({ prefix: "srv/" })).objects.map((o) => o.key);
      state = { keys, uploads: (await client.listMultipart("srv/")).length };
      if (state.uploads === 0 && !keys.includes("srv/aborted.bin")) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(state.keys.includes("srv/aborted.bin"), false);
    assert.equal(state.uploads, 0);
  });

  it("ftplib: S3 refusals answer 550, an unavailable S3 (503 after retries) answers 451", async () => {
    const denied = await startS3FtpServer(s3, {
      bucket: BUCKET,
      storageOptions: { credentials: { accessKeyId: "test:tester", secretAccessKey: "wrong" } },
    });
    const down = await startS3FtpServer(s3, {
      bucket: BUCKET,
      storageOptions: { fetch: () => Promise.resolve(new Response("", { status: 503 })), retryDelayMs: 5 },
    });
    try {
      const script = `
import ftplib, json, sys
cfg = json.loads(sys.argv[1])
out = {}
for name in ("denied", "down"):
    ftp = ftplib.FTP()
    ftp.connect("127.0.0.1", cfg[name], timeout=30)
    ftp.login(cfg["user"], cfg["password"])
    for cmd in ("SIZE f.bin", "MKD newdir", "DELE f.bin"):
        try:
            out[name + " " + cmd] = ftp.sendcmd(cmd)[:3]
        except ftplib.Error as e:
            out[name + " " + cmd] = str(e)[:3]
    ftp.quit()
print(json.dumps(out))
`;
      const r = await runTool(PYTHON, ["-c", script, JSON.stringify({ denied: denied.port, down: down.port, user: USER, password: PASSWORD })], {
        timeoutMs: 60_000,
      });
      ok(r, "ftplib");
      assert.deepEqual(JSON.parse(r.out), {
        "denied SIZE f.bin": "550",
        "denied MKD newdir": "550",
        "denied DELE f.bin": "550",
        "down SIZE f.bin": "451",
        "down MKD newdir": "451",
        "down DELE f.bin": "451",
      });
    } finally {
      await denied.close();
      await down.close();
    }
  });
});
