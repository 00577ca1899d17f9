/**
 * One terminal line: never wraps (a wrapped line would make the frame taller than planned), and never carries
 * a control character (the last guard: view models already pass stored text through safeLine).
 */
import { Text } from 'ink';
import { safeLine } from '../src/view/safe-text.js';

export interface LineProps {
  text: string;
  color?: string | undefined;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

export function Line({ text, color, bold, dim, inverse }: LineProps) {
  return (
    <Text wrap="truncate-end" color={color} bold={bold} dimColor={dim} inverse={inverse}>
      {text === '' ? ' ' : safeLine(text)}
    </Text>
  );
}
