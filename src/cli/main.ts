#!/usr/bin/env node
/**
 * The `prodigy` command line. Each command lives in its own file and registers itself here; listing
 * commands never import Ink (views load it lazily), so they start as fast as Node does.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, reportError } from './errors.js';
import { firstWriteFault, isIoFault, writeFault } from '../storage/io-fault.js';
import { safeLine } from '../view/safe-text.js';
import { endOnClosedOutput } from './closed-output.js';
import { commandWordOf } from './command-word.js';
import pkg from '../../package.json' with { type: 'json' };

type Register = (program: Command) => void;

/** Commands that only print: they end when their reader closes the pipe (events does so itself). */
const LISTINGS: ReadonlySet<string> = new Set(['sessions', 'workers', 'validate', 'tui']);

/**
 * Each command's module, loaded only when it runs: the dashboard's first frame must not wait for the
 * workflow parser (yaml) and the runner to compile. In the order `--help` lists them.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  sessions: async () => (await import('./sessions.js')).registerSessions,
  events: async () => (await import('./events.js')).registerEvents,
  dlq: async () => {
    const [{ registerDlq }, { dlqRetry }] = await Promise.all([import('./dlq.js'), import('./resume-job.js')]);
    return (program) => registerDlq(program, dlqRetry);
  },
  'resume-job': async () => (await import('./resume-job.js')).registerResumeJob,
  run: async () => (await import('./run.js')).registerRun,
  validate: async () => (await import('./validate.js')).registerValidate,
  resume: async () => (await import('./resume.js')).registerResume,
  tui: async () => (await import('./tui.js')).registerTui,
  worktree: async () => (await import('./worktree.js')).registerWorktree,
  worker: async () => (await import('./worker.js')).registerWorker,
  workers: async () => (await import('./workers.js')).registerWorkers,
};

/** The program with the command `argv` names registered, or every command (help, a typo, none). */
async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('prodigy')
    .description('Run AI and shell workflows as resumable sessions, and watch them live')
    .version(pkg.version, '-V, --version', 'print the version')
    .option('--home <dir>', 'the session store (default: $PRODIGY_HOME or ~/.prodigy)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const word = commandWordOf(argv);
  // Listings only: a run keeps going when its reader leaves (workflow-shared.ts surviveClosedOutput).
  if (word !== undefined && LISTINGS.has(word)) endOnClosedOutput();
  const wanted = word !== undefined && Object.hasOwn(COMMANDS, word) ? [COMMANDS[word]!] : Object.values(COMMANDS);
  for (const register of await Promise.all(wanted.map((load) => load()))) register(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    if (isIoFault(err)) return latchFault(err); // printed once, below
    return reportError(err);
  }
}

/** A fault no write site converted (it names its file as `path`, when Node knows it): latched like the rest. */
function latchFault(err: unknown): number {
  writeFault(err, (err as NodeJS.ErrnoException).path ?? 'a file of the store');
  return EXIT.failed;
}

// A write that hits a full disk in a timer or a stream handler has no caller: it is latched
// (storage/io-fault.ts), the run stops through its interrupt control, and the fault is reported below.
process.on('unhandledRejection', (err) => {
  if (!isIoFault(err)) throw err;
  latchFault(err);
});
process.on('uncaughtException', (err) => {
  if (isIoFault(err)) return void latchFault(err);
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(EXIT.failed);
});

const code = await main(process.argv);
const fault = firstWriteFault();
if (fault) process.stderr.write(`prodigy: ${safeLine(fault.message)}\n`);
process.exitCode = fault ? EXIT.failed : code;
