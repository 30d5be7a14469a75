/** Escapes text for HTML element and attribute content. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1a1f36; }
  .banner { background: #fff4d6; border: 1px solid #f5c518; padding: .5rem .75rem; border-radius: 6px; font-size: .9rem; }
  table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
  td, th { border-bottom: 1px solid #e3e8ee; padding: .4rem; text-align: left; }
  form { display: inline-block; margin: .25rem .5rem .25rem 0; }
  button { font-size: 1rem; padding: .5rem 1rem; border-radius: 6px; border: 1px solid #635bff; background: #635bff; color: white; cursor: pointer; }
  button.secondary { background: white; color: #635bff; }
  button.danger { background: #df1b41; border-color: #df1b41; }
</style>
</head>
<body>
<p class="banner">Stripe simulator: nothing here talks to Stripe and no card is charged.</p>
${body}
</body>
</html>`;
}
