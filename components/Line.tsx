/** One terminal line: never wraps (a wrapped line would make the frame taller than planned). */
import { Text } from 'ink';

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
      {text === '' ? ' ' : text}
    </Text>
  );
}
