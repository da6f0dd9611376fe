import { describe, expect, it } from "vitest";
import { clientAddress } from "@/lib/auth/client-address";

const proxies = ["127.0.0.1", "10.0.0.0/8"];

describe("clientAddress", () => {
  it("is the TCP peer when the peer is not a trusted proxy, whatever the header says", () => {
    expect(clientAddress("203.0.113.5", "198.51.100.7", proxies)).toBe("203.0.113.5");
    expect(clientAddress("203.0.113.5", "198.51.100.7", [])).toBe("203.0.113.5");
  });

  it("is the right-most address that is not a trusted proxy when the peer is one", () => {
    expect(clientAddress("127.0.0.1", "198.51.100.7", proxies)).toBe("198.51.100.7");
    // A client's own X-Forwarded-For entry sits left of the address the proxy saw.
    expect(clientAddress("127.0.0.1", "6.6.6.6, 198.51.100.7", proxies)).toBe("198.51.100.7");
    expect(clientAddress("::ffff:127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", proxies)).toBe("198.51.100.7");
    expect(clientAddress("127.0.0.1", "2001:db8::1", proxies)).toBe("2001:db8::1");
  });

  it("stops at an entry that is not an address, at the last trusted hop", () => {
    expect(clientAddress("127.0.0.1", "not-an-address", proxies)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", "198.51.100.7, <script>, 10.1.2.3", proxies)).toBe("10.1.2.3");
    expect(clientAddress("127.0.0.1", "198.51.100.7:5555", proxies)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", "", proxies)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", undefined, proxies)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", "10.0.0.1, 10.0.0.2", proxies)).toBe("10.0.0.1");
  });
});
