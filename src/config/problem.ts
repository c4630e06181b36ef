// One config problem: an ApiError whose path (`services[2].tables.Album`) says where in the file it is.
import { ApiError } from '../errors/index.js';

/** `services[2].tables.Album`, with brackets for keys that are not identifiers (`tables["dbo.Album"]`). */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      const text = String(key);
      if (/^[A-Za-z_$][\w$]*$/.test(text)) return i === 0 ? text : `.${text}`;
      return `[${JSON.stringify(text)}]`;
    })
    .join('');
}

export function problem(path: readonly PropertyKey[], message: string): ApiError {
  const at = formatPath(path);
  return new ApiError('CONFIG_INVALID', message, at ? { path: at } : {});
}
