import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeEprt,
  decodeEpsvReply,
  decodeHostPort,
  encodeEprt,
  encodeEpsvReply,
  encodeHostPort,
  isIPv4,
  isIPv6,
  unmapIPv4,
} from "../src/protocol/address.ts";

describe("PASV / PORT", () => {
  it("round-trips host and port", () => {
    for (const port of [0, 1, 255, 256, 50000, 65535]) {
      const text = encodeHostPort({ hostname: "10.1.2.3", port });
      assert.deepEqual(decodeHostPort(`Entering Passive Mode (${text}).`), { hostname: "10.1.2.3", port });
    }
  });
  it("decodes replies without parentheses (RFC 959 leaves the format open)", () => {
    assert.deepEqual(decodeHostPort("=127,0,0,1,4,1"), { hostname: "127.0.0.1", port: 1025 });
  });
  it("rejects out-of-range numbers and garbage", () => {
    assert.equal(decodeHostPort("256,0,0,1,1,1"), undefined);
    assert.equal(decodeHostPort("1,2,3,4,5"), undefined);
    assert.equal(decodeHostPort("1,2,3,4,5,300"), undefined);
  });
  it("encodes IPv4-mapped IPv6 as IPv4 and refuses real IPv6", () => {
    assert.equal(encodeHostPort({ hostname: "::ffff:127.0.0.1", port: 21 }), "127,0,0,1,0,21");
    assert.throws(() => encodeHostPort({ hostname: "::1", port: 21 }), RangeError);
  });
});

describe("EPSV / EPRT", () => {
  it("round-trips the EPSV reply, with any delimiter", () => {
    assert.equal(decodeEpsvReply(encodeEpsvReply(50000)), 50000);
    assert.equal(decodeEpsvReply("Entering Extended Passive Mode (!!!2121!)"), 2121);
    assert.equal(decodeEpsvReply("(|||0|)"), undefined);
    assert.equal(decodeEpsvReply("(|!|21|)"), undefined);
    assert.equal(decodeEpsvReply("(|||99999|)"), undefined);
  });
  it("round-trips EPRT for both families", () => {
    assert.deepEqual(decodeEprt(encodeEprt({ hostname: "127.0.0.1", port: 6000 })), {
      hostname: "127.0.0.1",
      port: 6000,
      family: "IPv4",
    });
    assert.deepEqual(decodeEprt("|2|::1|6000|"), { hostname: "::1", port: 6000, family: "IPv6" });
    assert.deepEqual(decodeEprt("#2#fe80::1#6000#"), { hostname: "fe80::1", port: 6000, family: "IPv6" });
  });
  it("rejects malformed EPRT arguments", () => {
    for (
      const bad of ["", "|1|127.0.0.1|6000", "|3|1.2.3.4|6000|", "|1|::1|6000|", "|2|1.2.3.4|6000|",
        "|1|127.0.0.1|0|", "|1|127.0.0.1|70000|", "|1|127.0.0.1|x|", "|1|1.2.3|6000|", " 1 1.2.3.4 5 "]
    ) assert.equal(decodeEprt(bad), undefined, bad);
  });
});

describe("address predicates", () => {
  it("classifies addresses", () => {
    assert.ok(isIPv4("0.0.0.0") && isIPv4("255.255.255.255"));
    assert.ok(!isIPv4("256.0.0.1") && !isIPv4("01.2.3.4x") && !isIPv4("localhost"));
    assert.ok(isIPv6("::1") && isIPv6("fe80::1:2") && isIPv6("::ffff:1.2.3.4") && isIPv6("1:2:3:4:5:6:7:8"));
    assert.ok(!isIPv6("1:2:3") && !isIPv6(":::") && !isIPv6("1::2::3") && !isIPv6("g::1"));
    assert.equal(unmapIPv4("::FFFF:10.0.0.1"), "10.0.0.1");
    assert.equal(unmapIPv4("::1"), "::1");
  });
});
