// Uploads arrive as bytes; bpmn-moddle only understands UTF-8 and warns on anything else (six MIWG
// reference files declare ISO-8859-1). We decode here, by BOM or by the XML declaration's
// `encoding`, and hand every later stage a JS string. A string input is taken as already decoded.

export type DecodeResult = { ok: true; text: string } | { ok: false; message: string };

const LATIN1_LABELS = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'latin-1', 'l1', 'us-ascii', 'ascii']);

export function decodeXml(input: string | Uint8Array): DecodeResult {
  if (typeof input === 'string') return { ok: true, text: stripBom(input) };
  const bytes = input;
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeWith('utf-16be', bytes.subarray(2));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeWith('utf-16le', bytes.subarray(2));
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decodeWith('utf-8', bytes.subarray(3));
  const declared = declaredEncoding(bytes);
  if (declared === undefined || declared === 'utf-8' || declared === 'utf8') return decodeWith('utf-8', bytes);
  // ISO-8859-1 maps each byte to the code point of the same value; Buffer's latin1 does exactly
  // that (TextDecoder('latin1') would apply windows-1252 instead).
  if (LATIN1_LABELS.has(declared)) return { ok: true, text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1') };
  try {
    return decodeWith(declared, bytes);
  } catch {
    return { ok: false, message: `the XML declares encoding '${declared}', which is not supported; save the file as UTF-8` };
  }
}

function decodeWith(label: string, bytes: Uint8Array): DecodeResult {
  try {
    return { ok: true, text: new TextDecoder(label, { fatal: true }).decode(bytes) };
  } catch (err) {
    if (err instanceof RangeError) throw err;
    return { ok: false, message: `the file is not valid ${label.toUpperCase()} text` };
  }
}

function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 200)).toString('latin1');
  const decl = /^\s*<\?xml\s[^?]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  return decl?.[1]?.toLowerCase();
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** bpmn-moddle warns about any declared encoding but UTF-8; the text is decoded by now, so blank the
 *  declaration out (same length, so line and column numbers stay true). */
export function blankXmlDeclaration(text: string): string {
  const decl = /^\s*<\?xml\s[\s\S]*?\?>/.exec(text);
  return decl ? decl[0].replace(/[^\n]/g, ' ') + text.slice(decl[0].length) : text;
}
