// Node 20+: SOCKS5_PROXY=socks5://me:pw@127.0.0.1:1080 node node_socks5.mjs. The control
// and passive data connections go through a SOCKS5 proxy (user/password optional); here to
// a test server of our own, which sees the proxy's address as the client's.
import { Client } from "anyftp";
import { socks5Net } from "anyftp/net/socks5";
import { startTestServer } from "anyftp/testing";

const proxy = new URL(process.env.SOCKS5_PROXY ?? "socks5://127.0.0.1:1080");
const net = socks5Net({
  hostname: proxy.hostname,
  port: Number(proxy.port || 1080),
  ...(proxy.username ? { username: decodeURIComponent(proxy.username), password: decodeURIComponent(proxy.password) } : {}),
});
const server = await startTestServer({ files: { "/pub/hello.txt": "through the proxy\n" } });
const client = await Client.connect(server.url, { net });
try {
  console.log(new TextDecoder().decode(await client.downloadData("/pub/hello.txt")));
} finally {
  await client.close();
  await server.close();
}
