/** The dev identity provider's own pages: plain HTML, labelled fields, no script, nothing loaded from elsewhere. */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const STYLE = `
  body { font-family: system-ui, sans-serif; background: #f4f5f7; color: #1d2430; margin: 0; }
  main { max-width: 22rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px;
         box-shadow: 0 1px 3px rgba(0,0,0,.2); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
  input { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; border: 1px solid #6b7280; border-radius: 4px; }
  input:focus, button:focus { outline: 3px solid #2563eb; outline-offset: 2px; }
  button { margin-top: 1.5rem; width: 100%; padding: .6rem; font-size: 1rem; border: 0; border-radius: 4px;
           background: #1d4ed8; color: #fff; cursor: pointer; }
  button.secondary { background: #e5e7eb; color: #1d2430; margin-top: .5rem; }
  .error { color: #991b1b; background: #fee2e2; padding: .5rem; border-radius: 4px; }
  .hint { color: #4b5563; font-size: .9rem; }`;

/** A whole page around `body` (already HTML-escaped where it holds input). */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Meetplane dev identity provider</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

/** The login form of one interaction; `error` is shown (and announced) after a failed attempt. */
export function loginPage(options: { action: string; clientName: string; username?: string; error?: string }): string {
  const error = options.error ? `<p class="error" role="alert" id="login-error">${escapeHtml(options.error)}</p>` : '';
  const described = options.error ? ' aria-describedby="login-error"' : '';
  return page(
    'Sign in',
    `<h1>Sign in to ${escapeHtml(options.clientName)}</h1>
${error}
<form method="post" action="${escapeHtml(options.action)}" autocomplete="on">
  <label for="username">Username</label>
  <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required
    value="${escapeHtml(options.username ?? '')}"${described}${options.username ? '' : ' autofocus'}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required${described}${options.username ? ' autofocus' : ''}>
  <button type="submit">Sign in</button>
</form>
<p class="hint">Local demo users of the tenant <code>demo</code>: alice, bob, carol and dora.</p>`,
  );
}
