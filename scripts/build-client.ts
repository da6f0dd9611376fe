// Bundles the laptop client (bin/client/) into one ES module that Node 20
// runs with nothing installed, public/cli/warren.mjs, which Warren serves
// at /cli/warren.mjs. Run by `npm run build` before Next's build.
import { build } from "esbuild";

await build({
  entryPoints: ["bin/client/main.ts"],
  outfile: "public/cli/warren.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: false,
  legalComments: "inline",
  // Bundled CommonJS (ws) requires Node's built-ins; an ES module has no require of its own.
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as warrenCreateRequire } from "node:module";\nconst require = warrenCreateRequire(import.meta.url);',
  },
  // ws's optional native helpers: it runs without them.
  external: ["bufferutil", "utf-8-validate"],
  logLevel: "warning",
});
