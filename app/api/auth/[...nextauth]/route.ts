import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/auth-options";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

// next-auth 4 reads the options per request so that they follow getConfig().
async function handler(req: Request, context: RouteContext) {
  return NextAuth(req as never, context as never, authOptions(req));
}

export { handler as GET, handler as POST };
