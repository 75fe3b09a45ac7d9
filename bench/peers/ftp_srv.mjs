/**
 * ftp-srv (the npm FTP server most Node projects embed) as a benchmark peer:
 * `node|deno run -A|bun bench/peers/ftp_srv.mjs ROOT` serves ROOT on 127.0.0.1 (free port),
 * anonymous with write access, passive mode on 127.0.0.1, logging off. Prints one JSON line
 * `{"port": N}` when ready; stops on SIGTERM or when standard input closes.
 */
import process from "node:process";
import bunyan from "bunyan";
import FtpSrv from "ftp-srv";

const root = process.argv[2];
if (!root) throw new Error("usage: ftp_srv.mjs ROOT");
const server = new FtpSrv({
  url: "ftp://127.0.0.1:0",
  pasv_url: "127.0.0.1",
  // ftp-srv scans this range upwards for a free port on each PASV
  pasv_min: 40000,
  pasv_max: 49999,
  anonymous: true,
  log: bunyan.createLogger({ name: "ftp-srv", level: "fatal" }),
});
server.on("login", (_data, resolve) => resolve({ root }));
await server.listen();
process.stdout.write(JSON.stringify({ port: server.server.address().port }) + "\n");
const stop = () => void server.close().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.resume();
