/**
 * Bytes of a text file to a string: strict UTF-8 (a bad byte is refused with its offset, not
 * replaced), a leading byte-order mark dropped, NUL bytes refused as the sign of a binary file.
 */

/** The offset where the first ill-formed UTF-8 sequence starts, or −1 if all of `bytes` is UTF-8. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte: length and the allowed range of the first continuation byte (RFC 3629
    // table: no overlong forms, no surrogates, nothing above U+10FFFF).
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      const lo = k === 1 ? low : 0x80;
      const hi = k === 1 ? high : 0xbf;
      if (c < lo || c > hi) return i;
    }
    i += length;
  }
  return -1;
}

const BOM = '\ufeff';

/** Decodes `bytes` as UTF-8 text, throwing a message that names `fileName` and the offset. */
export function decodeUtf8Text(bytes: Uint8Array, fileName: string): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const hex = Array.from(bytes.subarray(bad, bad + 4), (b) => b.toString(16).padStart(2, '0'));
    throw new Error(
      `${fileName}: not UTF-8 text: invalid byte sequence at offset ${bad} (${hex.join(' ')}${bad + 4 < bytes.length ? ' …' : ''})`,
    );
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new Error(`${fileName}: a NUL byte at offset ${nul}: this is not a text file`);
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  return text.startsWith(BOM) ? text.slice(1) : text;
}
