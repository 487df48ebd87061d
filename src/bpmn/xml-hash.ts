// The hash that makes an identical re-deploy add no version. Deliberately simple and predictable:
// it forgives what editors and git change without meaning to (line endings, indentation between
// tags, the XML declaration, comments) and nothing else. Attribute order, quoting and text content
// count, so any edit Camunda Modeler makes to the model gives a new version.
import { createHash } from 'node:crypto';

// CDATA sections are matched first so their content is never touched.
const COMMENTS_AND_DECLARATION = /(<!\[CDATA\[[\s\S]*?\]\]>)|<!--[\s\S]*?-->|<\?xml\s[\s\S]*?\?>/g;
const WHITESPACE_BETWEEN_TAGS = /(<!\[CDATA\[[\s\S]*?\]\]>)|>\s+</g;

export function normaliseXml(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(COMMENTS_AND_DECLARATION, (_m, cdata?: string) => cdata ?? '')
    .replace(WHITESPACE_BETWEEN_TAGS, (_m, cdata?: string) => cdata ?? '><')
    .trim();
}

/** sha256 (hex) of the normalised XML. */
export function xmlHash(text: string): string {
  return createHash('sha256').update(normaliseXml(text), 'utf8').digest('hex');
}
