/** A scrolling window that follows a cursor and moves only when the cursor leaves it. */
import { useRef } from 'react';
import { windowTop } from '../src/tui/layout.js';

export function useWindowTop(cursor: number, height: number, count: number): number {
  const top = useRef(0);
  top.current = windowTop(cursor, top.current, height, count);
  return top.current;
}
