/**
 * The README examples that need a service of their own run here against real ones, started by
 * the test: `examples/node_socks5.mjs` through microsocks (user/password), and
 * `examples/node_s3.mjs` against OpenStack Swift's s3api. They run on Node, the runtime they
 * name, from every test runtime (the checkout's `anyftp` resolves to `dist/`, built by `npm test`).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  haveMicrosocks,
  repoFile,
  runTool,
  S3_ACCESS_KEY,
  S3_SECRET_KEY,
  skipUnlessS3,
  startMicrosocks,
  startS3Server,
} from "./_support/mod.ts";

const root = join(repoFile("examples"), "..");
const built = existsSync(join(root, "dist", "mod.js"));
const node = (file: string, env: Record<string, string>) =>
  runTool("node", [join(root, "examples", file)], { cwd: root, env, timeoutMs: 120_000 });

describe("README examples that need a service", { skip: built ? false : "dist/ not built" }, () => {
  it("node_socks5.mjs through a real SOCKS5 server with a password", { skip: !haveMicrosocks() }, async () => {
    await using proxy = await startMicrosocks({ user: "me", password: "pw" });
    const r = await node("node_socks5.mjs", { SOCKS5_PROXY: `socks5://me:pw@127.0.0.1:${proxy.port}` });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), "through the proxy");
  });

  it("node_s3.mjs against a real S3 server", { skip: skipUnlessS3() }, async () => {
    await using s3 = await startS3Server();
    await s3.createBucket("readme");
    const r = await node("node_s3.mjs", {
      AWS_ACCESS_KEY_ID: S3_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: S3_SECRET_KEY,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      S3_BUCKET: "readme",
    });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /hello\.txt 20/);
  });
});
