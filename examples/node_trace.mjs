// Node 20+: node node_trace.mjs. The `trace` option sees every command and reply line (and
// each connection), with the password censored: "> PASS ********", "< 230 …".
import { Client } from "anyftp";
import { startTestServer } from "anyftp/testing";

const server = await startTestServer({ users: [{ login: "alice", password: "secret" }] });
const client = await Client.connect(server.url, { trace: (line) => console.error(line) });
try {
  console.log(await client.list("/"));
} finally {
  await client.close();
  await server.close();
}
