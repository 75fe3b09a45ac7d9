// The suites anyftp's own adapters and storages pass, for yours: put your PathIO and Net in
// place of these. Runs as it stands with node --test, bun test and deno test -A.
import { MemoryPathIO } from "anyftp";
import { createMemoryNet } from "anyftp/net/memory";
import { netConformance, pathIOConformance } from "anyftp/testing";

pathIOConformance("my storage", () => new MemoryPathIO()); // a new, empty storage per case
netConformance("my adapter", () => createMemoryNet()); // TLS cases need { tls: { cert, key } }
