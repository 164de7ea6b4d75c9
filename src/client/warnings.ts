import { RateLimitedWarning } from '../internal/rate-limited-warning.js';

/** A failure of an accepted event that no 'error' listener, onError or logger heard (one per process, shared). */
export const unheardFailure = new RateLimitedWarning('AUDITWIRE_UNHEARD_FAILURE');

/** User code the client called (a listener, onError, the logger) threw or rejected, and no logger can say so. */
export const userCodeFailure = new RateLimitedWarning('AUDITWIRE_USER_CODE_FAILED');
