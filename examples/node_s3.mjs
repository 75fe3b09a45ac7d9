// Node 20+: AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… AWS_ENDPOINT_URL_S3=http://127.0.0.1:9000
// S3_BUCKET=ftp node node_s3.mjs. An FTP server whose files live in an S3 bucket (under a key
// prefix); a client uploads a file through it and lists it back.
import { Client, Server } from "anyftp";
import { S3PathIO, s3OptionsFromEnv } from "anyftp/fs/s3";

const storage = new S3PathIO({
  ...s3OptionsFromEnv(process.env), // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL_S3
  bucket: process.env.S3_BUCKET ?? "ftp",
  prefix: "public", // optional: this key prefix is "/"
});
const server = new Server({
  users: [{ login: "alice", password: "secret", permissions: [{ path: "/", writable: true }] }],
  storage,
});
try {
  const { port } = await server.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Client.connect(`ftp://alice:secret@127.0.0.1:${port}`);
  try {
    await client.uploadData("stored as an object\n", "/hello.txt");
    console.log((await client.list("/")).map((e) => `${e.name} ${e.size}`));
  } finally {
    await client.close();
  }
} finally {
  await server.close();
}
