// The page a person gets instead of a web tunnel's app when Warren cannot
// serve it (no access, an ended tunnel, a used sign-in link, an app that does
// not answer): Warren's colours and words, self-contained (the app host has
// none of Warren's assets, and Warren's own pages must not run there).

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export type AppPage = { status: number; title: string; message: string; action?: { href: string; label: string } };

export function appPageHtml({ status, title, message, action }: AppPage): string {
  const link = action ? `<p><a class="button" href="${escapeHtml(action.href)}">${escapeHtml(action.label)}</a></p>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Warren</title>
<style>
:root{color-scheme:light dark;font-family:ui-sans-serif,system-ui,sans-serif}
body{margin:0;min-height:100vh;display:grid;place-items:center;background:#fafafa;color:#18181b}
main{max-width:32rem;margin:1rem;padding:2rem;border:1px solid #e4e4e7;border-radius:.75rem;background:#fff}
.brand{font-weight:600;color:#2f7d5b;letter-spacing:.02em}.code{color:#71717a;font-size:.875rem}
h1{font-size:1.25rem;margin:.5rem 0}p{line-height:1.5}
.button{display:inline-block;padding:.5rem 1rem;border-radius:.5rem;background:#2f7d5b;color:#fff;text-decoration:none}
@media (prefers-color-scheme:dark){body{background:#09090b;color:#f4f4f5}main{background:#18181b;border-color:#27272a}}
</style></head>
<body><main><div class="brand">Warren</div><div class="code">${status}</div><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${link}</main></body></html>`;
}

/** The page as a complete HTTP answer's parts. */
export function appPageResponse(page: AppPage) {
  return {
    status: page.status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" },
    body: appPageHtml(page),
  };
}
