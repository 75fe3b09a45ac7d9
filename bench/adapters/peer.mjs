// The far end of an adapter benchmark, in its own process (run with node):
//   node peer.mjs sink <portfile>           accept one connection, count bytes to EOF,
//                                           reply "<count>\n", close
//   node peer.mjs source <portfile> <bytes> accept one connection, send <bytes>, close
// The bound port is written to <portfile> once listening.
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";

const [mode, portFile, bytesArg] = process.argv.slice(2);
const server = createServer({ allowHalfOpen: true }, (socket) => {
  server.close();
  if (mode === "sink") {
    let count = 0;
    socket.on("data", (chunk) => (count += chunk.length));
    socket.on("end", () => socket.end(`${count}\n`));
  } else {
    const total = Number(bytesArg);
    const block = Buffer.alloc(1 << 20, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const n = Math.min(block.length, total - sent);
        sent += n;
        if (!socket.write(n === block.length ? block : block.subarray(0, n))) {
          socket.once("drain", pump);
          return;
        }
      }
      socket.end();
    };
    pump();
    socket.on("data", () => {});
  }
  socket.on("error", (error) => {
    console.error(`peer ${mode}: ${error.message}`);
    process.exitCode = 1;
  });
});
server.listen(0, "127.0.0.1", () => writeFileSync(portFile, String(server.address().port)));
