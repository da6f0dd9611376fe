import type { Metadata } from "next";
import { FallbackPage } from "@/app/components/fallback-page";

export const metadata: Metadata = { title: "Not found" };

/** Any page that does not exist, or is not the viewer's to see (someone else's tunnel is as unknown as a missing one). */
export default function NotFound() {
  return <FallbackPage title="Nothing here">This page does not exist, or it is not yours to see.</FallbackPage>;
}
