export {
  ApiError,
  ApiErrorList,
  formatProblem,
  isApiError,
  retryAfterOf,
  type ApiErrorOptions,
} from './api-error.js';
export { ERROR_CODES, type ErrorCode, type ErrorFamily } from './catalogue.js';
