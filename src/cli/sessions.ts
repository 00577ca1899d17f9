/** `prodigy sessions list|show|clean`: the read side of the unified store, plus cleanup. */
import fs from 'node:fs/promises';
import { Command, Option } from 'commander';
import { UnifiedSessionManager, summarize } from '../session/manager.js';
import type { SessionFilter, SessionStatus, UnifiedSession } from '../session/types.js';
import { SESSION_STATUSES } from '../session/types.js';
import { STATUS_SYMBOL, displayStatus, formatDuration, formatRelative, progressLabel, sessionName, typeLabel } from '../view/format.js';
import { CliError, EXIT, warnProblems } from './errors.js';
import { safeLine } from '../view/safe-text.js';
import { existingHomeOf, outputWidth, printJson } from './context.js';
import { confirmOnTerminal } from './confirm.js';
import { sessionTable } from '../view/session-rows.js';
import { parseAge } from './parse-age.js';

function parseStatuses(values: string[] | undefined): SessionStatus[] | undefined {
  if (!values?.length) return undefined;
  return values.flatMap((v) => v.split(',')).map((v) => {
    const hit = SESSION_STATUSES.find((s) => s.toLowerCase() === v.trim().toLowerCase());
    if (!hit) throw new CliError(`unknown status "${v}" (one of: ${SESSION_STATUSES.join(', ')})`, EXIT.usage);
    return hit;
  });
}

function parseLimit(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--limit must be a whole number, not "${v}"`, EXIT.usage);
  return n;
}

async function list(cmd: Command): Promise<void> {
  const o = cmd.opts<{ json?: boolean; status?: string[]; type?: 'workflow' | 'mapreduce'; limit?: number }>();
  const manager = new UnifiedSessionManager(existingHomeOf(cmd));
  const { sessions, problems } = await manager.list({ status: parseStatuses(o.status) });
  const filtered = o.type ? sessions.filter((s) => typeLabel(s) === o.type) : sessions;
  const typed = o.limit === undefined ? filtered : filtered.slice(0, o.limit);
  warnProblems(problems);
  if (o.json) return printJson(typed);
  if (typed.length === 0) {
    process.stdout.write('No sessions.\n');
    return;
  }
  // Short ids are unique over every session in the store, not only the ones shown (--status, --limit, --type).
  const lines = sessionTable(typed, (s) => manager.isInterrupted(s), Date.now(), outputWidth(), await allIds(manager));
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Every session id in the store (file names only: nothing is parsed). */
async function allIds(manager: UnifiedSessionManager): Promise<string[]> {
  const names = await fs.readdir(manager.store.paths.sessionsDir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => n.slice(0, -'.json'.length));
}

function detailLines(s: UnifiedSession, interrupted: boolean): string[] {
  const status = displayStatus(s, interrupted);
  const now = Date.now();
  const lines: Array<[string, string]> = [
    ['id', s.id],
    ['type', typeLabel(s)],
    ['status', `${STATUS_SYMBOL[status]} ${status}${interrupted ? ' (resumable)' : ''}`],
    ['name', sessionName(s)],
    ['workflow', String(s.metadata.workflow_path ?? '-')],
    ['progress', progressLabel(s)],
    ['started', `${s.started_at} (${formatRelative(s.started_at, now)})`],
    ['updated', `${s.updated_at} (${formatRelative(s.updated_at, now)})`],
    ['duration', formatDuration(summarize(s).duration)],
  ];
  if (s.workflow_data) {
    lines.push(['completed steps', s.workflow_data.completed_steps.map((i) => i + 1).join(', ') || '-']);
    const vars = Object.entries(s.workflow_data.variables);
    if (vars.length) lines.push(['variables', vars.map(([k, v]) => `${k}=${v.length > 40 ? `${v.slice(0, 39)}…` : v}`).join(' ')]);
  }
  if (s.mapreduce_data) {
    const m = s.mapreduce_data;
    lines.push(['job', m.job_id], ['phase', m.phase], ['items', `${m.processed_items}/${m.total_items} done, ${m.failed_items} failed`]);
  }
  const timings = Object.entries(s.timings);
  if (timings.length) lines.push(['timings', timings.map(([k, d]) => `${k} ${formatDuration(d)}`).join(', ')]);
  lines.push(['checkpoints', `${s.checkpoints.length}${s.checkpoints.length ? `, latest ${s.checkpoints.at(-1)!.created_at}` : ''}`]);
  if (s.error) lines.push(['error', s.error]);
  const w = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(w)}  ${safeLine(v)}`);
}

async function show(id: string, cmd: Command): Promise<void> {
  const o = cmd.opts<{ json?: boolean }>();
  const manager = new UnifiedSessionManager(existingHomeOf(cmd));
  const s = await manager.load(await manager.resolveId(id));
  if (o.json) return printJson(s);
  process.stdout.write(`${detailLines(s, manager.isInterrupted(s)).join('\n')}\n`);
}

async function clean(cmd: Command): Promise<void> {
  const o = cmd.opts<{ olderThan?: string; status?: string[]; dryRun?: boolean; json?: boolean; yes?: boolean }>();
  const ageMs = o.olderThan === undefined ? 0 : parseAge(o.olderThan);
  if (ageMs === null) throw new CliError(`--older-than must look like 30m, 12h or 7d, not "${o.olderThan}"`, EXIT.usage);
  const statuses = parseStatuses(o.status) ?? (['Completed', 'Failed', 'Cancelled'] as SessionStatus[]);
  const manager = new UnifiedSessionManager(existingHomeOf(cmd));
  const filter: SessionFilter = { status: statuses };
  const { sessions, problems } = await manager.list(filter);
  warnProblems(problems);
  const cutoff = Date.now() - ageMs;
  // A live run is never cleaned, whatever the filter says.
  const doomed = sessions.filter(
    (s) => Date.parse(s.completed_at ?? s.updated_at) <= cutoff && !(s.status === 'Running' && manager.ownerAlive(s) !== false),
  );
  // With no filter, clean removes every finished session and its log: a person is asked, a script must say --yes.
  const unfiltered = o.olderThan === undefined && o.status === undefined;
  if (!o.dryRun && unfiltered && !o.yes && doomed.length > 0) {
    const yes = await confirmOnTerminal(`Remove ${doomed.length} finished session${doomed.length === 1 ? '' : 's'} and their logs?`);
    if (yes === null) throw new CliError(`sessions clean with no filter removes ${doomed.length} session${doomed.length === 1 ? '' : 's'}: add --yes (or --older-than / --status, or --dry-run to see them)`, EXIT.usage);
    if (!yes) {
      process.stdout.write('Nothing removed.\n');
      return;
    }
  }
  if (!o.dryRun) {
    for (const s of doomed) {
      await manager.delete(s.id);
      await fs.rm(manager.store.paths.sessionLog(s.id), { force: true });
    }
  }
  if (o.json) return printJson({ dry_run: Boolean(o.dryRun), removed: doomed.map((s) => s.id) });
  const verb = o.dryRun ? 'Would remove' : 'Removed';
  for (const s of doomed) {
    const age = formatRelative(s.completed_at ?? s.updated_at, Date.now());
    process.stdout.write(`${verb} ${s.id}  ${s.status}  ${safeLine(sessionName(s))}  ${age}\n`);
  }
  process.stdout.write(`${verb} ${doomed.length} session${doomed.length === 1 ? '' : 's'}.\n`);
}

export function registerSessions(program: Command): void {
  const sessions = program.command('sessions').description('list, inspect and clean sessions in the unified store');
  const statusOption = () =>
    new Option('--status <status...>', `only these statuses (${SESSION_STATUSES.join(', ')})`);
  sessions
    .command('list')
    .alias('ls')
    .description('list sessions, newest first')
    .option('--json', 'print Prodigy-format session objects')
    .addOption(statusOption())
    .addOption(new Option('--type <type>', 'only this type').choices(['workflow', 'mapreduce']))
    .option('--limit <n>', 'at most N sessions', parseLimit)
    .action((_o, cmd: Command) => list(cmd));
  sessions
    .command('show')
    .argument('<id>', 'session id, job id, or an unambiguous id prefix')
    .description('show one session')
    .option('--json', 'print the Prodigy-format session object')
    .action((id: string, _o, cmd: Command) => show(id, cmd));
  sessions
    .command('clean')
    .description('delete finished sessions (Completed, Failed, Cancelled by default)')
    .option('--older-than <age>', 'only sessions finished longer ago than this (30m, 12h, 7d, 2w)')
    .addOption(statusOption())
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('-y, --yes', 'do not ask (needed with no filter when not on a terminal)')
    .option('--json', 'print the removed ids as JSON')
    .action((_o, cmd: Command) => clean(cmd));
}
