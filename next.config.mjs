/** @type {import('next').NextConfig} */
const securityHeaders = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

const nextConfig = {
  poweredByHeader: false,
  // forbidden() and app/forbidden.tsx: a page a person may not see answers 403 with Warren's own page.
  experimental: { authInterrupts: true },
  // Native modules and the generated Prisma client run as plain Node code,
  // loaded by Node itself rather than bundled.
  serverExternalPackages: ["argon2", "better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/client", "ssh2", "nodemailer"],
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      // JSON never needs to load anything; pages get a nonce policy from proxy.ts.
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }] },
    ];
  },
};

export default nextConfig;
