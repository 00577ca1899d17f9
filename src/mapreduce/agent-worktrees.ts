/**
 * Each work item runs in a git worktree of its own, branched from the session worktree's HEAD after
 * setup, and what it commits goes back into the session worktree through ONE serial merge queue. The
 * item's branch name is fixed by the job and item (`prodigy-agent-<job>-<item>`), so a resume can tell
 * that an item's work was merged already and never merges it twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SerialQueue } from '../exec/serial-queue.js';
import { addWorktree, branchExists, commitsAhead, deleteBranch, isMerged, mergeBranch, probeRepo, removeWorktree, revParse } from '../git/repo.js';

export interface AgentWorktree {
  itemId: string;
  path: string;
  branch: string;
  /** The session worktree's HEAD it started from. */
  base: string;
}

export type AgentMerge = { kind: 'none' } | { kind: 'merged'; commits: number } | { kind: 'conflict'; commits: number; files: string[] };

let attempt = 0;

export const agentBranch = (jobId: string, itemId: string): string => `prodigy-agent-${jobId}-${itemId}`;

export class AgentWorktrees {
  /** Merges into the session worktree: one at a time, in arrival order. */
  private readonly queue = new SerialQueue();
  /**
   * `git worktree add/remove/prune` on one repository must not overlap: a prune while another add is
   * half done deletes the new worktree's admin files (seen: "failed to read .../commondir").
   */
  private readonly admin = new SerialQueue();

  private constructor(
    /** The session worktree: setup and reduce run here, agents merge here. */
    readonly parent: string,
    readonly dir: string,
    readonly jobId: string,
  ) {}

  /** Agent worktrees for a job whose session works in a git worktree on a branch; null otherwise. */
  static async forJob(parent: string, dir: string, jobId: string): Promise<AgentWorktrees | null> {
    const probe = await probeRepo(parent).catch(() => null);
    if (!probe || probe.kind !== 'repo' || probe.info.branch === null || probe.info.head === null) return null;
    return new AgentWorktrees(parent, dir, jobId);
  }

  /**
   * True when a previous run already merged this item's work (it crashed before recording the
   * completion): the item's branch holds commits of its own and they are in the session worktree.
   */
  async alreadyMerged(itemId: string): Promise<boolean> {
    const branch = agentBranch(this.jobId, itemId);
    if (!(await branchExists(this.parent, branch))) return false;
    const base = await this.branchBase(branch);
    const tip = await revParse(this.parent, branch);
    if (!base || !tip || base === tip) return false;
    return isMerged(this.parent, branch, 'HEAD');
  }

  private baseFile(branch: string): string {
    return path.join(this.dir, `.${branch}.base`);
  }

  private async branchBase(branch: string): Promise<string | null> {
    try {
      return fs.readFileSync(this.baseFile(branch), 'utf8').trim() || null;
    } catch {
      return null;
    }
  }

  /** A clean worktree for the item from the session worktree's HEAD; leftovers of a crash are removed first. */
  create(itemId: string): Promise<AgentWorktree> {
    return this.admin.run(() => this.createNow(itemId));
  }

  private async createNow(itemId: string): Promise<AgentWorktree> {
    const branch = agentBranch(this.jobId, itemId);
    // Every attempt gets a folder of its own: an agent of a crashed run that is still going can only
    // write into its old folder (removed here), never into the new attempt's.
    for (const old of this.foldersOf(itemId)) await removeWorktree(this.parent, path.join(this.dir, old));
    if (await branchExists(this.parent, branch)) await deleteBranch(this.parent, branch);
    attempt += 1;
    const where = path.join(this.dir, `${itemId}.${process.pid}-${attempt}`);
    const base = (await revParse(this.parent, 'HEAD'))!;
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(this.baseFile(branch), `${base}\n`);
    await addWorktree(this.parent, where, branch, base);
    return { itemId, path: where, branch, base };
  }

  private foldersOf(itemId: string): string[] {
    try {
      return fs.readdirSync(this.dir).filter((n) => n === itemId || n.startsWith(`${itemId}.`));
    } catch {
      return [];
    }
  }

  /**
   * An item that ran on another machine (a queue worker): its branch is fetched, not checked out here, so
   * there is no worktree, only the branch and its recorded base (what alreadyMerged reads on resume).
   */
  adopt(itemId: string, base: string): Promise<AgentWorktree> {
    return this.admin.run(async () => {
      const branch = agentBranch(this.jobId, itemId);
      if (await branchExists(this.parent, branch)) await deleteBranch(this.parent, branch);
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(this.baseFile(branch), `${base}\n`);
      return { itemId, path: path.join(this.dir, `${itemId}.remote`), branch, base };
    });
  }

  /** Merges the item's commits into the session worktree (serially); a conflict is aborted. */
  async merge(a: AgentWorktree): Promise<AgentMerge> {
    const commits = await commitsAhead(this.parent, a.base, a.branch);
    if (commits === 0) return { kind: 'none' };
    return this.queue.run(async () => {
      const r = await mergeBranch(this.parent, a.branch, `Merge ${a.branch}`);
      return r.kind === 'conflict' ? { kind: 'conflict', commits, files: r.files } : { kind: 'merged', commits };
    });
  }

  /** Removes the item's worktree; its branch too unless `keepBranch` (unmerged work is never deleted). */
  remove(a: AgentWorktree, keepBranch: boolean): Promise<void> {
    return this.admin.run(() => this.removeNow(a, keepBranch));
  }

  private async removeNow(a: AgentWorktree, keepBranch: boolean): Promise<void> {
    await removeWorktree(this.parent, a.path);
    if (!keepBranch && (await branchExists(this.parent, a.branch))) await deleteBranch(this.parent, a.branch);
    if (!keepBranch) fs.rmSync(this.baseFile(a.branch), { force: true });
  }
}
