// The client against real servers (vsftpd, pyftpdlib) in passive and active mode, with
// integrity checked by SHA-256.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { Client } from "../src/client/mod.ts";
import type { TransferProgress } from "../src/client/mod.ts";
import { StatusCodeError } from "../src/errors.ts";
import { havePeer, type RealServer, sha256 as sha, startAnyftp, startPyftpdlib, startVsftpd } from "./_support/mod.ts";


async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function treeHashes(dir: string, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) Object.assign(out, treeHashes(p, `${prefix}${name}/`));
    else out[`${prefix}${name}`] = sha(readFileSync(p));
  }
  return out;
}

const servers: [string, () => Promise<RealServer>, boolean][] = [
  ["vsftpd", () => startVsftpd(), havePeer("vsftpd")],
  ["pyftpdlib", () => startPyftpdlib(), havePeer("pyftpdlib")],
  ["anyftp", () => startAnyftp(), true],
];

for (const [name, start, available] of servers) {
  for (const mode of ["passive", "active"] as const) {
    describe(`client ↔ ${name} (${mode})`, { skip: !available }, () => {
      let server: RealServer;
      let client: Client;
      let local: string;
      before(async () => {
        server = await start();
        client = await Client.connect(server.url, {
          mode,
          socketTimeout: 10_000,
          dataTimeout: 10_000,
        });
        local = mkdtempSync(join(tmpdir(), "anyftp-client-local-"));
      });
      after(async () => {
        await client?.quit();
        await server?.close();
        if (local) rmSync(local, { recursive: true, force: true });
      });

      it("uploads and downloads 3 MiB from memory with equal SHA-256", async () => {
        const data = new Uint8Array(randomBytes(3 * 1024 * 1024 + 17));
        await client.uploadData(data, "mem.bin");
        assert.equal(sha(readFileSync(join(server.root, "mem.bin"))), sha(data));
        assert.equal(sha(await client.downloadData("mem.bin")), sha(data));
      });

      it("streams a 20 MiB file up and down with equal SHA-256", async () => {
        const data = new Uint8Array(randomBytes(20 * 1024 * 1024));
        const sink = await client.uploadStream("big.bin");
        const writer = sink.getWriter();
        for (let i = 0; i < data.length; i += 1 << 20) {
          await writer.write(data.subarray(i, i + (1 << 20)));
        }
        await writer.close();
        assert.equal(await client.size("big.bin"), data.length);
        const got = await collect(await client.downloadStream("big.bin"));
        assert.equal(got.length, data.length);
        assert.equal(sha(got), sha(data));
      });

      it("append doubles the content", async () => {
        await client.uploadData("abc\n", "twice.txt");
        const sink = await client.appendStream("twice.txt");
        await new Blob(["abc\n"]).stream().pipeTo(sink);
        assert.equal(readFileSync(join(server.root, "twice.txt"), "utf8"), "abc\nabc\n");
      });

      it("downloads from REST offsets 0, 3 and 10", async () => {
        const text = "0123456789abcdefghij";
        await client.uploadData(text, "rest.txt");
        for (const offset of [0, 3, 10]) {
          const got = new TextDecoder().decode(await client.downloadData("rest.txt", { offset }));
          assert.equal(got, text.slice(offset), `offset ${offset}`);
        }
      });

      it("STOR at an offset overwrites in place", async () => {
        await client.uploadData("0123456789", "inplace.txt");
        await client.uploadData("AB", "inplace.txt", { offset: 4 });
        assert.equal(readFileSync(join(server.root, "inplace.txt"), "utf8"), "0123AB6789");
      });

      it("lists files, directories and symlinks with their types", async () => {
        mkdirSync(join(server.root, "listing/sub"), { recursive: true });
        writeFileSync(join(server.root, "listing/f.txt"), "12345");
        symlinkSync("f.txt", join(server.root, "listing/ln"));
        const entries = await client.list("listing");
        const byName = new Map(entries.map((e) => [e.name, e]));
        assert.deepEqual([...byName.keys()].sort(), ["f.txt", "ln", "sub"]);
        assert.equal(byName.get("f.txt")?.type, "file");
        assert.equal(byName.get("f.txt")?.size, 5);
        assert.equal(byName.get("f.txt")?.path, "listing/f.txt");
        assert.equal(byName.get("sub")?.type, "dir");
        // LIST shows the link itself; MLSD (pyftpdlib) describes its target.
        assert.ok(["symlink", "file"].includes(byName.get("ln")!.type));
        if (byName.get("ln")!.type === "symlink") {
          assert.equal(byName.get("ln")?.linkTarget, "f.txt");
        }
        const seen: string[] = [];
        for await (const e of client.list("listing", { recursive: true, command: "LIST" })) {
          seen.push(e.path);
        }
        assert.deepEqual(seen.sort(), ["listing/f.txt", "listing/ln", "listing/sub"]);
      });

      it("stat, exists, isFile, isDir, size and lastModified", async () => {
        mkdirSync(join(server.root, "st/d"), { recursive: true });
        writeFileSync(join(server.root, "st/f.bin"), "xyz");
        const st = await client.stat("st/f.bin");
        assert.deepEqual([st.type, st.size, st.name, st.path], ["file", 3, "f.bin", "st/f.bin"]);
        assert.equal((await client.stat("st/d")).type, "dir");
        assert.equal(await client.exists("st/f.bin"), true);
        assert.equal(await client.exists("st/missing"), false);
        assert.equal(await client.isFile("st/f.bin"), true);
        assert.equal(await client.isFile("st/d"), false);
        assert.equal(await client.isDir("st/d"), true);
        assert.equal(await client.size("st/f.bin"), 3);
        const mtime = await client.lastModified("st/f.bin");
        assert.ok(
          Math.abs(mtime.getTime() - statSync(join(server.root, "st/f.bin")).mtimeMs) < 2000,
        );
        await assert.rejects(
          client.stat("st/missing"),
          (e) => e instanceof StatusCodeError && e.received === "550",
        );
      });

      it("mkdir with parents, cd/pwd, rename, remove recursively", async () => {
        await client.mkdir("m/a/b/c");
        await client.mkdir("m/a/b/c"); // an existing directory is fine with parents
        await assert.rejects(client.mkdir("m/a", { parents: false }), StatusCodeError);
        const home = await client.pwd();
        await client.cd("m/a");
        assert.equal(await client.pwd(), `${home === "/" ? "" : home}/m/a`);
        await client.cd("..");
        await client.cd("..");
        assert.equal(await client.pwd(), home);
        await client.uploadData("x", "m/a/b/c/file.txt");
        await client.rename("m/a/b/c/file.txt", "m/a/moved.txt");
        assert.equal(readFileSync(join(server.root, "m/a/moved.txt"), "utf8"), "x");
        await client.removeFile("m/a/moved.txt");
        await client.remove("m");
        assert.equal(await client.exists("m"), false);
      });

      it("uploads and downloads directory trees, with and without writeInto", async () => {
        const src = join(local, "tree");
        mkdirSync(join(src, "a/b"), { recursive: true });
        writeFileSync(join(src, "top.txt"), randomBytes(1000));
        writeFileSync(join(src, "a/mid.bin"), randomBytes(300_000));
        writeFileSync(join(src, "a/b/deep.bin"), randomBytes(70_000));
        writeFileSync(join(src, "a/b/empty"), "");
        await client.upload(src, "up"); // → up/tree
        assert.deepEqual(treeHashes(join(server.root, "up/tree")), treeHashes(src));
        await client.upload(src, "into", { writeInto: true }); // → into/*
        assert.deepEqual(treeHashes(join(server.root, "into")), treeHashes(src));
        await client.download("up/tree", join(local, "dl")); // → dl/tree
        assert.deepEqual(treeHashes(join(local, "dl/tree")), treeHashes(src));
        await client.download("into", join(local, "dl2"), { writeInto: true }); // → dl2/*
        assert.deepEqual(treeHashes(join(local, "dl2")), treeHashes(src));
        await client.download("up/tree/a/mid.bin", join(local, "single")); // → single/mid.bin
        assert.equal(
          sha(readFileSync(join(local, "single/mid.bin"))),
          sha(readFileSync(join(src, "a/mid.bin"))),
        );
        await client.upload(join(src, "top.txt"), "one/renamed.txt", { writeInto: true });
        assert.equal(
          sha(readFileSync(join(server.root, "one/renamed.txt"))),
          sha(readFileSync(join(src, "top.txt"))),
        );
      });

      it("resumes a broken download", async () => {
        const data = new Uint8Array(randomBytes(2 * 1024 * 1024));
        writeFileSync(join(server.root, "resume.bin"), data);
        // A first attempt that breaks off after some bytes.
        const stream = await client.downloadStream("resume.bin");
        const reader = stream.getReader();
        const parts: Uint8Array[] = [];
        let got = 0;
        while (got < 300_000) {
          const { value, done } = await reader.read();
          if (done) break;
          parts.push(value.slice());
          got += value.length;
        }
        await reader.cancel();
        const partial = Buffer.concat(parts);
        assert.ok(partial.length < data.length);
        mkdirSync(join(local, "res"), { recursive: true });
        writeFileSync(join(local, "res/resume.bin"), partial);
        let progress: TransferProgress | undefined;
        await client.download("resume.bin", join(local, "res"), {
          resume: true,
          onProgress: (p) => (progress = p),
        });
        assert.equal(sha(readFileSync(join(local, "res/resume.bin"))), sha(data));
        // Only the missing part travelled.
        assert.equal(progress?.bytes, data.length - partial.length);
        assert.equal(progress?.total, data.length - partial.length);
        assert.ok(progress!.rate > 0);
        assert.equal(await client.pwd() !== "", true); // the client is still usable
      });

      it("reports progress with totals for downloads and uploads", async () => {
        const data = new Uint8Array(randomBytes(1_000_000));
        const up: TransferProgress[] = [];
        await client.uploadData(data, "prog.bin", { onProgress: (p) => up.push(p) });
        assert.equal(up.at(-1)?.bytes, data.length);
        assert.equal(up.at(-1)?.total, data.length);
        const down: TransferProgress[] = [];
        await client.downloadData("prog.bin", { onProgress: (p) => down.push(p) });
        assert.equal(down.at(-1)?.bytes, data.length);
        assert.equal(down.at(-1)?.total, data.length);
        assert.ok(down.every((p, i) => i === 0 || p.bytes > down[i - 1]!.bytes));
      });
    });
  }
}
