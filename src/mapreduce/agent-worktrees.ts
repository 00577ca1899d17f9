/**
 * Each work item runs in a git worktree of its own, branched from the session worktree's HEAD after
 * setup, and what it commits goes back into the session worktree through ONE serial merge queue. The
 * item's branch name is fixed by the job and item (`prodigy-agent-<job>-<item>`), so a resume can tell
 * that an item's work was merged already and never merges it twice.
 *
 * Slot reuse (measured in `npm run bench`, see worktrees.ts there): each pool slot keeps one worktree
 * (`slot-<agent>.<pid>-<n>`) and, between items, resets it onto the next item's branch at the session
 * HEAD (`checkout -f -B`, `clean -ffdx`: tracked, untracked and ignored files alike) instead of a
 * `git worktree add` + `remove` per item, which also had to wait for the one admin queue. A slot whose
 * reset fails, or that holds a half-done merge/rebase, is replaced by a fresh worktree. A conflicting
 * item's worktree leaves its slot (moved to an item-named folder) and is kept for inspection.
 * PRODIGY_AGENT_WORKTREE_REUSE=0 turns reuse off (the bench compares both).
 */
import fs from 'node:fs';
import path from 'node:path';
import { SerialQueue } from '../exec/serial-queue.js';
import {
  addWorktree,
  branchExists,
  commitsAhead,
  deleteBranch,
  detachWorktree,
  isMerged,
  mergeBranch,
  moveWorktree,
  probeRepo,
  removeWorktree,
  resetWorktreeTo,
  revParse,
} from '../git/repo.js';

export interface AgentWorktree {
  itemId: string;
  path: string;
  branch: string;
  /** The session worktree's HEAD it started from. */
  base: string;
  /** The pool slot whose reused worktree this is (absent: a worktree of the item's own). */
  slot?: string;
}

/** `tip`: the item branch's last commit when it was merged (the branch itself is deleted afterwards). */
export type AgentMerge = { kind: 'none' } | { kind: 'merged'; commits: number; tip: string | null } | { kind: 'conflict'; commits: number; files: string[]; tip: string | null };

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
  /** Slot -> its worktree folder, and the queue that keeps one slot's reset and release in order. */
  private readonly slots = new Map<string, string>();
  private readonly slotQueues = new Map<string, SerialQueue>();
  private swept: Promise<void> | null = null;

  private constructor(
    /** The session worktree: setup and reduce run here, agents merge here. */
    readonly parent: string,
    readonly dir: string,
    readonly jobId: string,
    readonly reuseSlots: boolean,
  ) {}

  /** Agent worktrees for a job whose session works in a git worktree on a branch; null otherwise. */
  static async forJob(parent: string, dir: string, jobId: string): Promise<AgentWorktrees | null> {
    const probe = await probeRepo(parent).catch(() => null);
    if (!probe || probe.kind !== 'repo' || probe.info.branch === null || probe.info.head === null) return null;
    return new AgentWorktrees(parent, dir, jobId, process.env.PRODIGY_AGENT_WORKTREE_REUSE !== '0');
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

  /**
   * A clean worktree for the item from the session worktree's HEAD (`slot`'s reused one when given);
   * leftovers of a crash are removed first.
   */
  create(itemId: string, slot?: string): Promise<AgentWorktree> {
    if (!this.reuseSlots || slot === undefined) return this.admin.run(() => this.createNow(itemId));
    return this.slotQueue(slot).run(() => this.createInSlot(itemId, slot));
  }

  private slotQueue(slot: string): SerialQueue {
    let q = this.slotQueues.get(slot);
    if (!q) this.slotQueues.set(slot, (q = new SerialQueue()));
    return q;
  }

  /** Once per runner: slot folders of an earlier (crashed) runner go; an orphan of it may still write there. */
  private sweepOldSlots(): Promise<void> {
    this.swept ??= this.admin.run(async () => {
      let names: string[] = [];
      try {
        names = fs.readdirSync(this.dir).filter((n) => n.startsWith('slot-'));
      } catch {
        return;
      }
      for (const n of names) await removeWorktree(this.parent, path.join(this.dir, n));
    });
    return this.swept;
  }

  private async createInSlot(itemId: string, slot: string): Promise<AgentWorktree> {
    await this.sweepOldSlots();
    const branch = agentBranch(this.jobId, itemId);
    const leftovers = this.foldersOf(itemId);
    if (leftovers.length > 0) await this.admin.run(async () => { for (const old of leftovers) await removeWorktree(this.parent, path.join(this.dir, old)); });
    if (await branchExists(this.parent, branch)) await deleteBranch(this.parent, branch);
    const base = (await revParse(this.parent, 'HEAD'))!;
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(this.baseFile(branch), `${base}\n`);
    const reused = this.slots.get(slot);
    if (reused && fs.existsSync(reused) && (await resetWorktreeTo(reused, branch, base))) return { itemId, path: reused, branch, base, slot };
    if (reused) {
      this.slots.delete(slot);
      await this.admin.run(() => removeWorktree(this.parent, reused));
      if (await branchExists(this.parent, branch)) await deleteBranch(this.parent, branch);
    }
    attempt += 1;
    const where = path.join(this.dir, `slot-${slot}.${process.pid}-${attempt}`);
    await this.admin.run(() => addWorktree(this.parent, where, branch, base));
    this.slots.set(slot, where);
    return { itemId, path: where, branch, base, slot };
  }

  /**
   * A conflicting item's worktree is kept for inspection: a slot's worktree moves out of the slot to a
   * folder named after the item (the slot gets a fresh one next time). Returns where it is now.
   */
  keep(a: AgentWorktree): Promise<AgentWorktree> {
    if (a.slot === undefined || this.slots.get(a.slot) !== a.path) return Promise.resolve(a);
    const slot = a.slot;
    return this.slotQueue(slot).run(async () => {
      this.slots.delete(slot);
      attempt += 1;
      const to = path.join(this.dir, `${a.itemId}.${process.pid}-${attempt}`);
      const moved = await this.admin.run(() => moveWorktree(this.parent, a.path, to));
      return { itemId: a.itemId, path: moved ? to : a.path, branch: a.branch, base: a.base };
    });
  }

  /** Removes the worktrees the slots still hold (end of the map phase, or an interrupt). */
  async close(): Promise<void> {
    const held = [...this.slots.entries()];
    this.slots.clear();
    await Promise.all(held.map(([slot, dir]) => this.slotQueue(slot).run(() => this.admin.run(() => removeWorktree(this.parent, dir)))));
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
      const tip = await revParse(this.parent, a.branch);
      const r = await mergeBranch(this.parent, a.branch, `Merge ${a.branch}`);
      return r.kind === 'conflict' ? { kind: 'conflict', commits, files: r.files, tip } : { kind: 'merged', commits, tip };
    });
  }

  /**
   * Removes the item's worktree (a slot's is only detached, for the next item); its branch too unless
   * `keepBranch` (unmerged work is never deleted).
   */
  remove(a: AgentWorktree, keepBranch: boolean): Promise<void> {
    if (a.slot !== undefined && this.slots.get(a.slot) === a.path) {
      const slot = a.slot;
      return this.slotQueue(slot).run(async () => {
        if (this.slots.get(slot) !== a.path) return this.admin.run(() => this.removeNow(a, keepBranch));
        // A slot that cannot leave the branch is replaced next time, so the branch can still go.
        if (!(await detachWorktree(a.path))) {
          this.slots.delete(slot);
          return this.admin.run(() => this.removeNow(a, keepBranch));
        }
        if (!keepBranch && (await branchExists(this.parent, a.branch))) await deleteBranch(this.parent, a.branch);
        if (!keepBranch) fs.rmSync(this.baseFile(a.branch), { force: true });
      });
    }
    return this.admin.run(() => this.removeNow(a, keepBranch));
  }

  private async removeNow(a: AgentWorktree, keepBranch: boolean): Promise<void> {
    await removeWorktree(this.parent, a.path);
    if (!keepBranch && (await branchExists(this.parent, a.branch))) await deleteBranch(this.parent, a.branch);
    if (!keepBranch) fs.rmSync(this.baseFile(a.branch), { force: true });
  }
}
