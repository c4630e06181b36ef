// The `accept` query parameter (else the Accept header) → the response format: json, xml, csv, or null when
// nothing acceptable can be produced (compat §12). Empty or `*/*` means JSON.

export type ResponseFormat = 'json' | 'xml' | 'csv';

const MEDIA_TYPES = new Map<string, ResponseFormat>([
  ['*/*', 'json'],
  ['application/*', 'json'],
  ['application/json', 'json'],
  ['application/x-json', 'json'],
  ['text/json', 'json'],
  ['json', 'json'],
  ['application/xml', 'xml'],
  ['application/x-xml', 'xml'],
  ['text/xml', 'xml'],
  ['xml', 'xml'],
  ['text/csv', 'csv'],
  ['application/csv', 'csv'],
  ['csv', 'csv'],
]);

/** Types are tried by quality (`q`, default 1), ties in the order given; the first we can produce wins. */
export function responseFormat(
  acceptParam: string | null,
  acceptHeader: string | null,
): ResponseFormat | null {
  const accept = acceptParam?.trim() ? acceptParam : acceptHeader;
  if (!accept?.trim()) return 'json';
  const ranked = accept
    .split(',')
    .map((entry, position) => {
      const [type = '', ...options] = entry.split(';').map((part) => part.trim().toLowerCase());
      const q = options.find((option) => option.startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { type, quality: Number.isNaN(quality) ? 0 : quality, position };
    })
    .filter((entry) => entry.type !== '' && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.position - b.position);
  if (ranked.length === 0) return 'json';
  for (const { type } of ranked) {
    const format = MEDIA_TYPES.get(type);
    if (format) return format;
  }
  return null;
}

export function mediaTypeOf(format: ResponseFormat): string {
  return format === 'json' ? 'application/json' : format === 'xml' ? 'application/xml' : 'text/csv';
}
