/**
 * lftp drives our server running in this test's runtime: `mirror` of a tree with nested
 * dirs, binary, empty files and empty dirs in both directions (passive and active mode,
 * MLSD on and off), and the file-management commands mv, rm, rm -r, mkdir -p, cls and ls.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type InteropServer,
  killPeers,
  PASSWORD,
  runTool,
  sha256File,
  skipIPv6,
  skipUnless,
  snapshotTree,
  startInteropServer,
  type ToolResult,
  USER,
  writeRandomFile,
} from "./_support/mod.ts";


interface LftpMode {
  readonly passive: boolean;
  readonly mlsd: boolean;
}

/** Runs one lftp script against our server with bounded retries and timeouts. */
function lftp(s: InteropServer, mode: LftpMode, script: string, debug = false): Promise<ToolResult> {
  const settings = [
    "set cmd:fail-exit yes",
    `set ftp:passive-mode ${mode.passive ? "on" : "off"}`,
    `set ftp:use-mlsd ${mode.mlsd ? "on" : "off"}`,
    "set net:max-retries 1",
    "set net:timeout 10",
    "set net:reconnect-interval-base 1",
    "set net:reconnect-interval-max 1",
    "set ftp:ssl-allow no",
    "set xfer:clobber on",
    `open -u '${USER},${PASSWORD}' -p ${s.port} ${s.host.includes(":") ? `[${s.host}]` : s.host}`,
  ];
  const args = [...(debug ? ["-d"] : []), "-c", `${settings.join("; ")}; ${script}`];
  return runTool("lftp", args, { cwd: s.dir, timeoutMs: 60_000 });
}

function okLftp(r: ToolResult, what: string): void {
  assert.equal(r.timedOut, false, `${what}: lftp timed out\n${r.out}\n${r.err}`);
  assert.equal(r.code, 0, `${what}: lftp exit ${r.code}\n${r.out}\n${r.err}`);
}

/** Commands lftp sent, from its -d output (`---> CMD`). */
function sent(r: ToolResult): string[] {
  return `${r.out}\n${r.err}`.split(/\r?\n/).filter((l) => l.startsWith("---> ")).map((l) => l.slice(5));
}

/** Replies lftp read, from its -d output (`<--- 226 ...`). */
function received(r: ToolResult): string[] {
  return `${r.out}\n${r.err}`.split(/\r?\n/).filter((l) => l.startsWith("<--- ")).map((l) => l.slice(5));
}

/** A tree with nested dirs, binary files, empty files, empty dirs and awkward names. */
async function makeTree(root: string): Promise<void> {
  await writeRandomFile(join(root, "top.bin"), 1_048_579);
  await writeFile(join(root, "empty.txt"), "");
  await mkdir(join(root, "empty-dir"), { recursive: true });
  await writeRandomFile(join(root, "a", "b", "c", "deep.bin"), 70_001);
  await mkdir(join(root, "a", "b", "empty-nested"), { recursive: true });
  await writeFile(join(root, "a", "text.txt"), "line one\nline two\r\nno newline at end");
  await writeRandomFile(join(root, "name with spaces", "file (1).bin"), 4_097);
  await writeFile(join(root, "name with spaces", "empty in spaced dir"), "");
  await writeRandomFile(join(root, "a", "b", "c", "one-byte"), 1);
  await writeRandomFile(join(root, "ünïcødé ☃", "日本語.bin"), 3_333);
  // Characters that MLSx facts, LIST columns, URLs or option parsing could trip over.
  for (const name of ["semi;colon=eq.txt", "-dash.txt", "#hash%41.bin", "quote'\"s.txt", "two  spaces.txt"]) {
    await writeRandomFile(join(root, "odd", name), 10 + name.length);
  }
}

describe("interop: lftp drives our server", { skip: skipUnless("lftp", ["--version"]) }, () => {
  let s: InteropServer;
  let src: string;

  before(async () => {
    s = await startInteropServer({ label: "lftp" });
    src = join(s.dir, "tree");
    await makeTree(src);
  });
  after(async () => {
    killPeers();
    await s?.close();
  });

  it("lftp is installed", async () => {
    assert.equal((await runTool("lftp", ["--version"])).code, 0);
  });

  const modes: Array<[string, LftpMode, string]> = [
    ["passive, MLSD", { passive: true, mlsd: true }, "pm"],
    ["passive, LIST", { passive: true, mlsd: false }, "pl"],
    ["active, MLSD", { passive: false, mlsd: true }, "am"],
    ["active, LIST", { passive: false, mlsd: false }, "al"],
  ];
  for (const [name, mode, tag] of modes) {
    it(`mirror -R uploads a tree and mirror downloads it back identical (${name})`, async () => {
      const expected = await snapshotTree(src);
      const up = await lftp(s, mode, `mirror -R tree up-${tag}`, true);
      okLftp(up, "mirror -R");
      assert.deepEqual(await snapshotTree(join(s.root, `up-${tag}`)), expected, "uploaded tree differs");
      const down = await lftp(s, mode, `mirror up-${tag} down-${tag}`, true);
      okLftp(down, "mirror");
      assert.deepEqual(await snapshotTree(join(s.dir, `down-${tag}`)), expected, "downloaded tree differs");
      const cmds = [...sent(up), ...sent(down)];
      if (mode.passive) {
        assert.ok(cmds.some((c) => c === "EPSV" || c === "PASV"), cmds.join(" | "));
        assert.ok(!cmds.some((c) => /^(PORT|EPRT) /.test(c)), "passive mode used an active command");
      } else {
        assert.ok(cmds.some((c) => /^(PORT|EPRT) /.test(c)), cmds.join(" | "));
        assert.ok(!cmds.some((c) => c === "EPSV" || c === "PASV"), "active mode used a passive command");
      }
      if (mode.mlsd) assert.ok(cmds.some((c) => c.startsWith("MLSD")), "lftp did not use MLSD");
      else assert.ok(!cmds.some((c) => c.startsWith("MLSD")), "lftp used MLSD although told not to");
      assert.ok(cmds.some((c) => c.startsWith(mode.mlsd ? "MLSD" : "LIST")), cmds.join(" | "));
    });
  }

  // Passive only: lftp 4.9 sends the unspecified address in active mode on IPv6 loopback
  // (`EPRT |2|::|port|`), which bounce protection rightly refuses (pyftpdlib and vsftpd too).
  // Active IPv6 (EPRT |2|::1|) is covered by curl -P ::1 and ftplib.
  it("IPv6 (::1): mirror both ways over EPSV", { skip: skipIPv6 }, async () => {
    await using s6 = await startInteropServer({ host: "::1", label: "lftp6" });
    await makeTree(join(s6.dir, "tree"));
    const expected = await snapshotTree(join(s6.dir, "tree"));
    for (const mlsd of [true, false]) {
      const mode = { passive: true, mlsd };
      const tag = mlsd ? "mlsd" : "list";
      const up = await lftp(s6, mode, `mirror -R tree up-${tag}`, true);
      okLftp(up, `IPv6 mirror -R (${tag})`);
      const down = await lftp(s6, mode, `mirror up-${tag} down-${tag}`, true);
      okLftp(down, `IPv6 mirror (${tag})`);
      assert.deepEqual(await snapshotTree(join(s6.root, `up-${tag}`)), expected);
      assert.deepEqual(await snapshotTree(join(s6.dir, `down-${tag}`)), expected);
      const cmds = [...sent(up), ...sent(down)];
      assert.ok(cmds.includes("EPSV") && !cmds.includes("PASV"), cmds.join(" | "));
    }
  });

  it("mirror of an unchanged tree transfers nothing the second time", async () => {
    const mode = { passive: true, mlsd: true };
    okLftp(await lftp(s, mode, "mirror -R tree again"), "first mirror -R");
    const second = await lftp(s, mode, "mirror -R tree again", true);
    okLftp(second, "second mirror -R");
    assert.ok(!sent(second).some((c) => c.startsWith("STOR ")), sent(second).join(" | "));
  });

  it("pget -n 4 splits a download into ranged RETRs on 4 sessions (throttled server)", async () => {
    // Throttled per session so one connection cannot finish before the others start.
    await using t = await startInteropServer({ label: "lftp-pget", downloadBytesPerSecond: 2 * 1024 * 1024 });
    const digest = await writeRandomFile(join(t.root, "big.bin"), 3 * 1024 * 1024 + 13);
    const pget = await lftp(t, { passive: true, mlsd: true }, "pget -n 4 big.bin -o pget.bin", true);
    okLftp(pget, "pget");
    assert.equal(await sha256File(join(t.dir, "pget.bin")), digest);
    assert.ok(sent(pget).filter((c) => /^REST [1-9]/.test(c)).length >= 2, sent(pget).join(" | "));
  });

  it("a download cut short (cat | head) makes lftp send ABOR; 426 + 226 and the session goes on", async () => {
    await using t = await startInteropServer({ label: "lftp-abor", downloadBytesPerSecond: 256 * 1024 });
    await writeRandomFile(join(t.root, "slow.bin"), 4 * 1024 * 1024);
    const r = await lftp(t, { passive: true, mlsd: true }, "cat slow.bin | head -c 1000 > head.bin; cls -1; echo after-abort", true);
    okLftp(r, "cat | head");
    const cmds = sent(r);
    assert.ok(cmds.includes("ABOR"), cmds.join(" | "));
    const replies = received(r);
    const i = replies.findIndex((x) => x.startsWith("426"));
    assert.ok(i >= 0 && replies[i + 1]?.startsWith("226"), replies.join(" | "));
    assert.match(r.out, /^slow\.bin$/m, "the listing after ABOR is missing");
    assert.match(r.out, /after-abort/);
    const head = await readFile(join(t.dir, "head.bin"));
    assert.deepEqual(head, (await readFile(join(t.root, "slow.bin"))).subarray(0, 1000));
  });

  it("get -c and put -c resume a partial file (REST / APPE)", async () => {
    const mode = { passive: true, mlsd: true };
    const digest = await writeRandomFile(join(s.root, "seg", "big.bin"), 4 * 1024 * 1024 + 7);
    const whole = await readFile(join(s.root, "seg", "big.bin"));
    await writeFile(join(s.dir, "part.bin"), whole.subarray(0, 3_000_001));
    const getc = await lftp(s, mode, "get -c seg/big.bin -o part.bin", true);
    okLftp(getc, "get -c");
    assert.ok(sent(getc).includes("REST 3000001"), sent(getc).join(" | "));
    assert.equal(await sha256File(join(s.dir, "part.bin")), digest);

    await writeFile(join(s.root, "seg", "up.bin"), whole.subarray(0, 1_234_567));
    const putc = await lftp(s, mode, "put -c part.bin -o seg/up.bin", true);
    okLftp(putc, "put -c");
    assert.ok(sent(putc).some((c) => c === "REST 1234567" || c.startsWith("APPE ")), sent(putc).join(" | "));
    assert.equal(await sha256File(join(s.root, "seg", "up.bin")), digest);
  });

  it("mkdir -p, mv, rm, rm -r, cls and ls", async () => {
    const mode = { passive: true, mlsd: true };
    okLftp(await lftp(s, mode, "mkdir -p ops/x/y/z"), "mkdir -p");
    assert.ok(existsSync(join(s.root, "ops", "x", "y", "z")));
    await writeFile(join(s.dir, "local.txt"), "moved around\n");
    await writeFile(join(s.root, "ops", "x", "y", "nested.txt"), "nested");

    okLftp(await lftp(s, mode, "put local.txt -o ops/f1.txt"), "put");
    okLftp(await lftp(s, mode, "mv ops/f1.txt ops/f2.txt"), "mv");
    assert.equal(existsSync(join(s.root, "ops", "f1.txt")), false);
    assert.equal(await readFile(join(s.root, "ops", "f2.txt"), "utf8"), "moved around\n");
    okLftp(await lftp(s, mode, "mv ops/f2.txt ops/x/f3.txt"), "mv into a dir");
    assert.ok(existsSync(join(s.root, "ops", "x", "f3.txt")));

    for (const m of [mode, { passive: true, mlsd: false }]) {
      const cls = await lftp(s, m, "cls -1 ops/x");
      okLftp(cls, "cls");
      assert.deepEqual(cls.out.split("\n").filter(Boolean).sort(), ["ops/x/f3.txt", "ops/x/y/"]);
    }
    const ls = await lftp(s, mode, "ls ops/x");
    okLftp(ls, "ls");
    const lines = ls.out.split(/\r?\n/).filter(Boolean);
    assert.equal(lines.length, 2, ls.out);
    assert.match(lines.find((l) => l.endsWith(" f3.txt")) ?? "", /^-.*\s13\s/, ls.out);
    assert.match(lines.find((l) => l.endsWith(" y")) ?? "", /^d/, ls.out);

    okLftp(await lftp(s, mode, "rm ops/x/f3.txt"), "rm");
    assert.equal(existsSync(join(s.root, "ops", "x", "f3.txt")), false);
    const rmMissing = await lftp(s, mode, "rm ops/no-such-file");
    assert.notEqual(rmMissing.code, 0, "rm of a missing file must fail");
    assert.match(rmMissing.err, /550/);
    const rmdirFull = await lftp(s, mode, "rmdir ops/x");
    assert.notEqual(rmdirFull.code, 0, "rmdir of a non-empty dir must fail");
    okLftp(await lftp(s, mode, "rm -r ops/x"), "rm -r");
    assert.equal(existsSync(join(s.root, "ops", "x")), false);
    assert.ok(existsSync(join(s.root, "ops")));
  });
});
