/**
 * Secrets never reach a session file, a log line or the terminal: the executor talks to a
 * SessionManager whose every write is masked, and to a reporter whose every line is.
 */
import type { SessionManager } from '../session/session-manager.js';
import type { ExecutorReporter } from './executor.js';
import { type Mask, maskDeep } from './mask.js';

export function maskedSessions(inner: SessionManager, mask: Mask): SessionManager {
  return {
    startSession: (id, options) => inner.startSession(id, maskDeep(options, mask)),
    resumeSession: (id) => inner.resumeSession(id),
    updateSession: (update) => inner.updateSession(maskDeep(update, mask)),
    completeSession: () => inner.completeSession(),
    getState: () => inner.getState(),
    saveState: (file) => inner.saveState(file),
    loadState: (file) => inner.loadState(file),
    loadSession: (id) => inner.loadSession(id),
    saveCheckpoint: (state) => inner.saveCheckpoint(maskDeep(state, mask)),
    listResumable: () => inner.listResumable(),
    getLastInterrupted: () => inner.getLastInterrupted(),
  };
}

export function maskedReporter(inner: ExecutorReporter | undefined, mask: Mask): ExecutorReporter | undefined {
  if (!inner) return undefined;
  return {
    stepStarted: inner.stepStarted && ((i, n, s) => inner.stepStarted!(i, n, mask(s))),
    stepFinished: inner.stepFinished && ((i, n, s, outcome, ms) => inner.stepFinished!(i, n, mask(s), maskDeep(outcome, mask), ms)),
    stepAlreadyDone: inner.stepAlreadyDone && ((i, n, s) => inner.stepAlreadyDone!(i, n, mask(s))),
    output: inner.output && ((t) => inner.output!(mask(t))),
  };
}
