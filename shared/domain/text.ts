/**
 * Free text typed by callers: what it may contain, and the one form of a case number that decides
 * whether two reports are the same case.
 */

/**
 * Controls (NUL, CR, LF, ESC ...), format characters (zero-width, bidirectional overrides, BOM, soft
 * hyphen), other invisible ones (default-ignorable: fillers, variation selectors, the grapheme joiner),
 * lone surrogates, the braille blank, and line or paragraph separators.
 */
const IN_A_LINE = /[\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\u2800]/u;
/** The same, but line breaks and tabs are allowed in multi-line text. */
const IN_TEXT = /[\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}\u2800]|(?![\n\t])\p{Cc}/u;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `s` is refused, or undefined when it is fine: the first forbidden character and where it is. */
export function forbiddenCharacter(s: string, multiline: boolean): string | undefined {
  const m = (multiline ? IN_TEXT : IN_A_LINE).exec(s);
  if (!m) return undefined;
  const position = Array.from(s.slice(0, m.index)).length + 1;
  return `must not contain control, bidirectional or invisible formatting characters (${codePoint(m[0])} at character ${position})${multiline ? '; line breaks and tabs are allowed' : ''}`;
}

/**
 * The form of a case number that uniqueness is checked on: NFKC (full-width digits and letters become
 * ASCII), lower case, without combining marks or invisible characters, trimmed, inner whitespace runs as
 * one space. "宝罚〔２０２６〕１号", "宝罚〔2026〕1́号" and "宝罚〔2026〕1号" are one case; "D-1" and "d-1" too.
 */
export function caseNumberKey(caseNumber: string): string {
  return caseNumber
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{M}\p{Default_Ignorable_Code_Point}\p{Cf}]/gu, '')
    .trim()
    .replace(/\s+/gu, ' ');
}
