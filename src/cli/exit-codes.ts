/** Exit codes a user can meet; README lists the same. */
export const EXIT_OK = 0;
/** Invalid input, a failed item, a locked state, a refused or failed run. */
export const EXIT_ERROR = 1;
/** `plan --detailed-exitcode` only: the plan has changes. */
export const EXIT_CHANGES = 2;
/** Interrupted by a signal (SIGINT/SIGTERM) during apply, after finishing requests in flight. */
export const EXIT_INTERRUPTED = 130;
