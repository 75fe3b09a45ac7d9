/**
 * The server's command table is the single source of FEAT, HELP and the session rules:
 * LANG (RFC 2640) was added as one handler plus one row, and FEAT and HELP list it without
 * any other change. Python's ftplib, a real client, uses it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { COMMANDS } from "../src/server/_commands.ts";
import { commandTable, featureLines } from "../src/server/_command_table.ts";
import { Control, PYTHON, runTool, skipUnless, startServer } from "./_support/mod.ts";

describe("server: the command table", () => {
  it("every verb and alias is in the table once, and aliases share their verb's row", () => {
    assert.equal(COMMANDS.get("XPWD"), COMMANDS.get("PWD"));
    assert.equal(COMMANDS.get("XMKD"), COMMANDS.get("MKD"));
    assert.equal(new Set(COMMANDS.verbs).size, COMMANDS.verbs.length);
    // A verb defined twice (as a verb or an alias) is refused when the table is built.
    const row = COMMANDS.get("PWD")!;
    assert.throws(() => commandTable([row, { ...row, verb: "XPWD", aliases: [] }]), /XPWD is defined twice/);
    for (const verb of ["RETR", "STOR", "APPE", "STOU", "LIST", "NLST", "MLSD"]) {
      assert.equal(COMMANDS.get(verb)?.dataChannel, true, verb);
    }
    for (const verb of ["ABOR", "STAT", "NOOP"]) assert.equal(COMMANDS.get(verb)?.duringTransfer, true, verb);
  });

  it("FEAT and HELP follow the table: LANG is advertised, listed and answered", async () => {
    await using srv = await startServer();
    await using c = await Control.login(srv.port);
    const feat = await c.cmd("FEAT");
    assert.ok(feat.lines.includes(" LANG EN*"), feat.lines.join("|"));
    const help = await c.cmd("HELP");
    assert.ok(help.lines.join(" ").split(/\s+/).includes("LANG"));
    assert.match((await c.cmd("HELP LANG")).lines[0]!, /LANG \[<language tag>\]/);
    assert.equal((await c.cmd("LANG")).code, "200");
    assert.equal((await c.cmd("LANG en-US")).code, "200");
    assert.equal((await c.cmd("LANG fr")).code, "504");
    assert.equal((await c.cmd("LANG %%")).code, "501");
  });

  it("a disabled command leaves FEAT and HELP", async () => {
    await using srv = await startServer({ disabledCommands: ["LANG", "SIZE"] });
    await using c = await Control.login(srv.port);
    const feat = await c.cmd("FEAT");
    assert.ok(!feat.lines.some((l) => l.startsWith(" LANG") || l === " SIZE"), feat.lines.join("|"));
    assert.ok(!(await c.cmd("HELP")).lines.join(" ").split(/\s+/).includes("LANG"));
    assert.equal((await c.cmd("LANG EN")).code, "502");
  });

  it("FEAT lines are derived per session: AUTH/PBSZ/PROT only with TLS, UTF8 only in UTF-8", () => {
    const session = (tls: boolean, encoding: string) => ({
      host: { config: { disabled: new Set<string>(), tls: tls ? {} : undefined, encoding } },
      mlstFacts: ["type", "size"],
    });
    // deno-lint-ignore no-explicit-any
    const plain = featureLines(COMMANDS, session(false, "utf-8") as any);
    assert.ok(!plain.some((l) => l.startsWith("AUTH") || l === "PBSZ" || l === "PROT"));
    assert.ok(plain.includes("UTF8"));
    // deno-lint-ignore no-explicit-any
    const secured = featureLines(COMMANDS, session(true, "latin1") as any);
    for (const l of ["AUTH TLS", "PBSZ", "PROT"]) assert.ok(secured.includes(l), l);
    assert.ok(!secured.includes("UTF8"));
  });

  it("ftplib sends LANG and reads FEAT", { skip: skipUnless(PYTHON, ["--version"]) }, async () => {
    await using srv = await startServer();
    const script = [
      "import ftplib, sys",
      "f = ftplib.FTP()",
      `f.connect("127.0.0.1", ${srv.port}, timeout=15)`,
      "f.login()",
      "print(f.sendcmd('LANG EN'))",
      "print('LANG EN*' in f.sendcmd('FEAT'))",
      "f.quit()",
    ].join("\n");
    const r = await runTool(PYTHON, ["-c", script]);
    assert.equal(r.code, 0, r.err);
    const [lang, feat] = r.out.trim().split("\n");
    assert.match(lang!, /^200 /);
    assert.equal(feat, "True");
  });
});
