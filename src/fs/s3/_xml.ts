/**
 * The little XML reading S3 responses need (error bodies, listings, multipart replies):
 * elements found by tag name, entities decoded. Pure.
 *
 * @module
 */

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * Decode XML character and entity references.
 *
 * @param text Escaped text.
 * @returns The plain text.
 *
 * @example
 * ```ts
 * import { xmlDecode } from "./_xml.ts";
 * xmlDecode("a &amp; b&#x41;"); // "a & bA"
 * ```
 */
export function xmlDecode(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, ref: string) => {
    if (ref.startsWith("#x")) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? whole;
  });
}

/**
 * The raw inner text of every `<tag>…</tag>` element in `xml`, in order (not nested ones of
 * the same name).
 *
 * @param xml The document or a fragment.
 * @param tag Element name.
 * @returns Inner texts, still escaped.
 *
 * @example
 * ```ts
 * import { elements } from "./_xml.ts";
 * elements("<a><k>1</k><k>2</k></a>", "k"); // ["1", "2"]
 * ```
 */
export function elements(xml: string, tag: string): string[] {
  const out: string[] = [];
  const open = new RegExp(`<${tag}(?:\\s[^>]*)?(/?)>`, "g");
  const close = `</${tag}>`;
  for (;;) {
    const m = open.exec(xml);
    if (m === null) return out;
    if (m[1] === "/") {
      out.push("");
      continue;
    }
    const start = m.index + m[0].length;
    const end = xml.indexOf(close, start);
    if (end < 0) return out;
    out.push(xml.slice(start, end));
    open.lastIndex = end + close.length;
  }
}

/**
 * The decoded text of the first `<tag>` element, if any.
 *
 * @param xml The document or a fragment.
 * @param tag Element name.
 * @returns Its text, or `undefined`.
 *
 * @example
 * ```ts
 * import { text } from "./_xml.ts";
 * text("<Error><Code>NoSuchKey</Code></Error>", "Code"); // "NoSuchKey"
 * ```
 */
export function text(xml: string, tag: string): string | undefined {
  const found = elements(xml, tag);
  return found.length === 0 ? undefined : xmlDecode(found[0]!);
}
