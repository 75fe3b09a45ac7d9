/**
 * `anyftp serve --s3 BUCKET[/PREFIX] --s3-endpoint URL`: parsing, and the one-line errors for
 * missing credentials and an unusable bucket (against a real S3 server). Serving through the
 * flag is proved end to end by tests/scaleout_s3.test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../src/cli/args.ts";
import type { CliIO } from "../src/cli/io.ts";
import { parseServeArgs, runServe } from "../src/cli/serve.ts";
import { S3_ACCESS_KEY, S3_REGION, S3_SECRET_KEY, type S3Server, skipUnlessS3, startS3Server } from "./_support/mod.ts";

function fakeIO(env: Record<string, string>): { io: CliIO; lines: string[] } {
  const lines: string[] = [];
  const io: CliIO = {
    args: [],
    out: (l) => void lines.push(l),
    err: (l) => void lines.push(l),
    onSignal: () => () => {},
    stdin: () => new ReadableStream(),
    stdout: () => new WritableStream(),
    cwd: () => "/",
    isDirectory: () => Promise.resolve(true),
    env,
  };
  return { io, lines };
}

describe("anyftp serve --s3", () => {
  it("parses BUCKET[/PREFIX] and the endpoint", () => {
    assert.deepEqual(parseServeArgs(["--s3", "b"], "/").s3, { bucket: "b", prefix: "" });
    assert.deepEqual(parseServeArgs(["--s3", "b/users/alice", "--s3-endpoint", "http://127.0.0.1:9000"], "/").s3, {
      bucket: "b",
      prefix: "users/alice",
      endpoint: "http://127.0.0.1:9000",
    });
    assert.equal(parseServeArgs(["--memory"], "/").s3, undefined);
  });

  it("writes uploads in place on S3 (no temporary object to copy over the target) unless told", () => {
    assert.equal(parseServeArgs(["--s3", "b"], "/").uploadPolicy, "in-place");
    assert.equal(parseServeArgs(["--s3", "b", "--upload-policy", "rename"], "/").uploadPolicy, "rename");
    assert.equal(parseServeArgs(["--memory"], "/").uploadPolicy, "rename");
  });

  it("refuses --s3 with DIR or --memory, a bad bucket, and --s3-endpoint alone", () => {
    assert.throws(() => parseServeArgs(["--s3", "b", "--memory"], "/"), UsageError);
    assert.throws(() => parseServeArgs(["/srv", "--s3", "b"], "/"), UsageError);
    assert.throws(() => parseServeArgs(["--s3", "/p"], "/"), UsageError);
    assert.throws(() => parseServeArgs(["--s3-endpoint", "http://x"], "/"), UsageError);
  });

  it("says in one line that the credentials are missing", async () => {
    const { io, lines } = fakeIO({});
    assert.equal(await runServe(["--s3", "b", "--port", "0"], io), 1);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^anyftp serve: cannot use S3 bucket b: .*AWS_ACCESS_KEY_ID/);
  });

  describe("against a real S3 server", { skip: skipUnlessS3() }, () => {
    let s3: S3Server;
    before(async () => {
      s3 = await startS3Server();
    });
    after(() => s3?.close());

    it("says in one line that the bucket does not exist or the key is wrong", async () => {
      const env = { AWS_ACCESS_KEY_ID: S3_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: S3_SECRET_KEY, AWS_REGION: S3_REGION };
      const missing = fakeIO(env);
      assert.equal(await runServe(["--s3", "nope", "--s3-endpoint", s3.endpoint, "--port", "0"], missing.io), 1);
      assert.equal(missing.lines.length, 1);
      assert.match(missing.lines[0]!, /cannot use S3 bucket nope: .*does not exist.*NoSuchBucket/);
      await s3.createBucket("there");
      const wrong = fakeIO({ ...env, AWS_SECRET_ACCESS_KEY: "wrong" });
      assert.equal(await runServe(["--s3", "there", "--s3-endpoint", s3.endpoint, "--port", "0"], wrong.io), 1);
      assert.match(wrong.lines[0]!, /cannot use S3 bucket there: .*permission denied.*403/);
    });
  });
});
