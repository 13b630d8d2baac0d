// The path the site is served under: '/' by default, '/<repository>/' on GitHub Pages, where the publish
// workflow (.github/workflows/docs.yml) sets DOCS_BASE. The config builds with it and `npm run docs` serves
// under it, so both agree.

/** DOCS_BASE normalised to start and end with '/' ('' and unset give '/'). Throws on what is not a path. */
export function docsBase(value: string | undefined = process.env.DOCS_BASE): string {
  const path = (value ?? '').trim().replace(/^\/+|\/+$/g, '');
  if (path === '') return '/';
  if (!/^[\w.~-]+(?:\/[\w.~-]+)*$/.test(path)) {
    throw new Error(`DOCS_BASE=${JSON.stringify(value)} is not a URL path like /rnn-scratch/`);
  }
  return `/${path}/`;
}
