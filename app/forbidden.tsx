import { FallbackPage } from "@/app/components/fallback-page";

/** A page that exists but is not for the viewer's role (forbidden(): answered with status 403), such as Users for someone who is not an admin.
 *  It keeps the refused page's title: forbidden() is called from within that page, whose metadata wins. */
export default function Forbidden() {
  return (
    <FallbackPage title="You don't have access">This page is not part of what your role in Warren lets you see. If you need it, ask an admin.</FallbackPage>
  );
}
