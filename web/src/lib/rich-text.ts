// The light formatting of question stems, options and explanations: **bold**, *italic*, line
// breaks and images uploaded to the platform (![text](/api/images/<sha256>.<ext>)). Text is
// escaped first and only these few constructs become markup, so whatever an organiser (or an
// imported file) writes can never inject HTML into a participant's page. The same function
// renders the participant's question, the editor's preview, results and the judges' audit.

const IMAGE_URL = /^\/api\/images\/[0-9a-f]{64}\.(?:png|jpg|webp|gif)$/;

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Bold and italic inside one run of text (no images, no line breaks). */
function inline(escaped: string): string {
  return escaped
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*(?=[^\s*])([^*]*?[^\s*])\*(?![*\w])/g, '$1<em>$2</em>');
}

/** HTML for a formatted text; safe to insert with {@html}. */
export function renderRich(text: string): string {
  const out: string[] = [];
  const image = /!\[([^\]\n]{0,300})\]\(([^)\s]{1,200})\)/g;
  let last = 0;
  for (let m = image.exec(text); m; m = image.exec(text)) {
    const [whole, alt, url] = m;
    if (!IMAGE_URL.test(url)) continue;
    out.push(inline(escapeHtml(text.slice(last, m.index))));
    out.push(`<img class="rich-img" src="${url}" alt="${escapeHtml(alt)}" loading="lazy">`);
    last = m.index + whole.length;
  }
  out.push(inline(escapeHtml(text.slice(last))));
  return out.join('').replace(/\r?\n/g, '<br>');
}

/** The text without formatting: for titles, search results, exports and screen-reader names. */
export function plainText(text: string): string {
  return text
    .replace(/!\[([^\]\n]*)\]\([^)\s]*\)/g, '$1')
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '$1')
    .replace(/(^|[^*\w])\*(?=[^\s*])([^*]*?[^\s*])\*(?![*\w])/g, '$1$2');
}

/** The markup for an uploaded image, as the editor inserts it. */
export const imageMarkup = (url: string, alt: string): string =>
  `![${alt.replace(/[\]\n]/g, ' ').trim()}](${url})`;
