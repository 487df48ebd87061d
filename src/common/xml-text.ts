/**
 * Decodes an uploaded XML file. Real models (MIWG references among them) declare ISO-8859-1;
 * reading those as UTF-8 would mangle every accented name, so the declared encoding decides.
 */
export function decodeXml(bytes: Buffer): string {
  const head = bytes.subarray(0, 200).toString('latin1');
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  const text = declared === 'iso-8859-1' || declared === 'latin1' || declared === 'windows-1252' ? bytes.toString('latin1') : bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
