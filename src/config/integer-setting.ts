// The one shape of every numeric setting: an integer in a range with a default, also accepted as a string of
// digits because `${VAR}` substitutions arrive as strings.
import { z } from 'zod';

export function integerSetting(fallback: number, min: number, max: number, description: string) {
  const int = z.int().min(min).max(max);
  const digits = z
    .string()
    .regex(/^[0-9]+$/, 'expected an integer')
    .meta({ pattern: '^([0-9]+|.*\\$\\{.*)$' });
  return z
    .union([int, digits], { error: 'expected an integer' })
    .default(fallback)
    .transform(Number)
    .pipe(int)
    .describe(`${description} Default ${fallback}.`);
}
