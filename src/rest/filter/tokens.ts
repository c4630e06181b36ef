// Filter text → tokens (parentheses, commas, symbolic operators, `&&`/`||`, quoted strings, bare words), each
// with its source offsets so the parser can slice values out of the original text verbatim.

export type TokenKind = 'lparen' | 'rparen' | 'comma' | 'op' | 'logic' | 'string' | 'word' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offsets into the filter text: `text === source.slice(start, end)`. */
  start: number;
  end: number;
}

const SYMBOLS = ['>=', '<=', '!=', '<>', '=', '>', '<'];
const SYMBOL_CHARS = '=<>';
const QUOTES = `'"`;

function isSpace(ch: string): boolean {
  return /\s/.test(ch);
}

/** Where a word ends: whitespace, parentheses, commas, `=<>`, `!=`, `&&`, `||`. */
function endsWord(text: string, i: number): boolean {
  const ch = text[i] as string;
  if (isSpace(ch) || ch === '(' || ch === ')' || ch === ',' || SYMBOL_CHARS.includes(ch)) return true;
  const pair = text.slice(i, i + 2);
  return pair === '!=' || pair === '&&' || pair === '||';
}

/**
 * The closing quote of a string opened at `open`: the first quote of the same kind followed by the end of the
 * text or a token boundary. So `'O'Brien'` and `'O''Brien'` are one string each, as in DreamFactory, which
 * only ever strips the outer pair.
 */
function closingQuote(text: string, open: number): number {
  const quote = text[open] as string;
  for (let k = text.indexOf(quote, open + 1); k >= 0; k = text.indexOf(quote, k + 1)) {
    if (k + 1 >= text.length || endsWord(text, k + 1) || text[k + 1] === '(') return k;
  }
  return -1;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const push = (kind: TokenKind, start: number, end: number) =>
    tokens.push({ kind, text: text.slice(start, end), start, end });
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (isSpace(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      push(ch === '(' ? 'lparen' : ch === ')' ? 'rparen' : 'comma', i, i + 1);
      i++;
      continue;
    }
    const pair = text.slice(i, i + 2);
    if (pair === '&&' || pair === '||') {
      push('logic', i, i + 2);
      i += 2;
      continue;
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
    if (symbol) {
      push('op', i, i + symbol.length);
      i += symbol.length;
      continue;
    }
    if (QUOTES.includes(ch)) {
      const close = closingQuote(text, i);
      if (close >= 0) {
        push('string', i, close + 1);
        i = close + 1;
        continue;
      }
      // An unmatched quote is an ordinary word character (`'O'Brien` keeps its text).
    }
    let j = i + 1;
    while (j < text.length && !endsWord(text, j)) j++;
    push('word', i, j);
    i = j;
  }
  tokens.push({ kind: 'eof', text: '', start: text.length, end: text.length });
  return tokens;
}
