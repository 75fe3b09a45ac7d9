// Node 20+: node node_pool.mjs. A ClientPool runs parallel transfers on up to `size`
// connections; each task's failure is its own and broken connections are replaced.
import { ClientPool } from "anyftp";
import { startTestServer } from "anyftp/testing";

const server = await startTestServer({
  files: { "/pub/a.bin": "a", "/pub/b.bin": "bb", "/pub/c.bin": "ccc" },
  users: [{ login: "alice", password: "secret" }],
});
const pool = new ClientPool(server.url, { size: 4 });
try {
  const names = ["a.bin", "b.bin", "c.bin", "missing.bin"];
  const results = await Promise.allSettled(names.map((n) => pool.downloadData(`/pub/${n}`)));
  for (const [i, r] of results.entries()) {
    console.log(names[i], r.status === "fulfilled" ? `${r.value.byteLength} bytes` : r.reason.message);
  }
} finally {
  await pool.close();
  await server.close();
}
