/** The values a session file may hold where Prodigy's format is a closed set (checked on every read). */
import type { SessionStatus } from '../session/types.js';

export const SESSION_STATUSES: readonly SessionStatus[] = [
  'Initializing',
  'Running',
  'Paused',
  'Completed',
  'Failed',
  'Cancelled',
];
