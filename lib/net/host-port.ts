/** "db.internal:22", "[2001:db8::1]:22": IPv6 literals bracketed so the port stays readable. */
export const hostPort = (address: string, port: number) => `${address.includes(":") ? `[${address}]` : address}:${port}`;
