// Filter problem → ApiError BAD_REQUEST with DreamFactory's message text (compat §4.1, §4.2). Plain text:
// the DreamFactory encoder escapes messages later.
import { ApiError } from '../../errors/index.js';

export const MAX_FILTER_LENGTH = 100_000;
export const MAX_FILTER_DEPTH = 100;
/** Values one filter may bind (conditions plus IN-list items); SQLite allows 32766 parameters a statement. */
export const MAX_FILTER_VALUES = 30_000;
/** `a XOR b` repeats both operands in the IR, so a chain of n XORs grows as 2^n. */
export const MAX_FILTER_XORS = 8;

function bad(message: string): ApiError {
  return new ApiError('BAD_REQUEST', message);
}

export const filterErrors = {
  unparsable: () => bad('Invalid or unparsable filter request.'),
  unknownField: (text: string) => bad(`Invalid or unparsable field in filter request: '${text}'`),
  listWithoutParentheses: () => bad('Filter value lists must be wrapped in parentheses.'),
  notInteger: (field: string) => bad(`Field '${field}' must be a valid integer.`),
  notNumber: (field: string) => bad(`Field '${field}' must be a valid number.`),
  notBoolean: (field: string) => bad(`Field '${field}' must be a valid boolean.`),
  functionCall: () => bad('Invalid value in filter request: function calls are not supported.'),
  likeOnNonText: (field: string) =>
    bad(`Field '${field}' is not text: LIKE, CONTAINS, STARTS WITH and ENDS WITH are not supported on it.`),
  badParam: (name: string) => bad(`Invalid value for filter parameter '${name}'.`),
  tooLong: () => bad(`Invalid filter request: longer than ${MAX_FILTER_LENGTH} characters.`),
  tooManyXors: () => bad(`Invalid filter request: more than ${MAX_FILTER_XORS} XOR operators.`),
  tooManyValues: () => bad(`Invalid filter request: more than ${MAX_FILTER_VALUES} values.`),
  tooDeep: () => bad(`Invalid filter request: nested deeper than ${MAX_FILTER_DEPTH} levels.`),
};
