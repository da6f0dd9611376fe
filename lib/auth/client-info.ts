// server/index.ts overwrites this header on every request with the socket's
// own address, so it can be trusted; anything a client sends under that name
// is discarded there.
export const CLIENT_IP_HEADER = "x-warren-client-ip";

export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | null {
  const value = headers instanceof Headers ? headers.get(name) : headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

export function clientInfo(headers: HeaderSource) {
  return { ip: header(headers, CLIENT_IP_HEADER), userAgent: header(headers, "user-agent") };
}
