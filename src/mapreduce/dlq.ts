/**
 * The dead-letter queue: `dlq/<repo>/<job-id>/items/<item-id>.json`, one file per item that failed all
 * its attempts. Written atomically (temp + rename) before the item's agent slot is reused; removed when
 * `prodigy dlq retry` sends the item back and it completes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomicSync } from '../storage/atomic-write.js';
import { checkShape, parseJsonText } from '../storage/schema-check.js';
import { DlqItemSchema } from '../storage/schemas.js';
import { CorruptFileError, readDirIfExists, readIfExists, removeIfExistsSync } from '../storage/store-file.js';
import type { DlqItem } from './job-types.js';

export function writeDlqItem(dir: string, item: DlqItem): void {
  fs.mkdirSync(dir, { recursive: true });
  writeJsonAtomicSync(path.join(dir, `${item.item_id}.json`), item);
}

export function removeDlqItem(dir: string, itemId: string): void {
  removeIfExistsSync(path.join(dir, `${itemId}.json`));
}

export interface DlqListing {
  items: DlqItem[];
  problems: { file: string; reason: string }[];
}

/** Every DLQ item in item order; files that do not parse are reported and left alone. */
export async function listDlqItems(dir: string): Promise<DlqListing> {
  const names = (await readDirIfExists(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  const items: DlqItem[] = [];
  const problems: DlqListing['problems'] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const text = await readIfExists(file);
      if (text === null) continue; // removed while listing
      items.push(checkShape(DlqItemSchema, parseJsonText(text, file), file) as DlqItem);
    } catch (err) {
      problems.push({ file, reason: err instanceof CorruptFileError ? err.reason : 'unreadable' });
    }
  }
  const n = (id: string) => Number(/(\d+)$/.exec(id)?.[1] ?? Number.NaN);
  items.sort((a, b) => n(a.item_id) - n(b.item_id) || a.item_id.localeCompare(b.item_id));
  return { items, problems };
}
