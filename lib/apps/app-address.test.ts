import { describe, expect, it } from "vitest";
import { appHostOf, appOrigin } from "@/lib/apps/app-address";

const config = { appsDomain: "apps.example.net", publicUrl: "https://warren.example.com" };
const onPort = { appsDomain: "apps.localhost", publicUrl: "http://127.0.0.1:3000" };

describe("app hosts", () => {
  it("are a label under the apps domain with the public URL's scheme and port", () => {
    expect(appOrigin("wiki", config)).toBe("https://wiki.apps.example.net");
    expect(appOrigin("wiki", onPort)).toBe("http://wiki.apps.localhost:3000");
    expect(appOrigin("wiki", { ...config, appsDomain: null })).toBeNull();
  });

  it("are told from a Host header: an app's, another name under the apps domain, or not the apps domain", () => {
    expect(appHostOf("Wiki.Apps.Example.Net", config)).toEqual({ slug: "wiki" });
    expect(appHostOf("wiki.apps.localhost:3000", onPort)).toEqual({ slug: "wiki" });
    expect(appHostOf("wiki.apps.localhost:3001", onPort)).toEqual({ unknown: true });
    expect(appHostOf("wiki.apps.localhost", onPort)).toEqual({ unknown: true });
    expect(appHostOf("a.wiki.apps.example.net", config)).toEqual({ unknown: true });
    expect(appHostOf("apps.example.net", config)).toEqual({ unknown: true });
    expect(appHostOf("warren.example.com", config)).toBeNull();
    expect(appHostOf("wiki.apps.example.net.evil.com", config)).toBeNull();
    expect(appHostOf(undefined, config)).toBeNull();
    expect(appHostOf("wiki.apps.example.net", { ...config, appsDomain: null })).toBeNull();
  });
});
