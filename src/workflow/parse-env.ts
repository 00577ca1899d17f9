/**
 * Workflow-level environment keys, pure: `env` (static, `{command, cache}`, `{condition, when_true,
 * when_false}`), `secrets`, `env_files`, `profiles`. Values are resolved at run start (environment.ts).
 */
import { isMap, isScalar, type Node } from 'yaml';
import type { EnvironmentSpec, EnvValue, SecretValue } from './types.js';
import { asBool, asMap, asSeq, asText, entriesOf, type YamlSource } from './yaml-source.js';

type Entry = ReturnType<typeof entriesOf>[number];
const get = (entries: Entry[], k: string) => entries.find((e) => e.key === k);

export function emptyEnvironment(): EnvironmentSpec {
  return { dynamic: {}, secrets: {}, envFiles: [], profiles: {} };
}

function envValue(src: YamlSource, node: Node | null, what: string): EnvValue {
  if (!isMap(node)) return { static: asText(src, node, what) };
  const entries = entriesOf(src, node);
  const command = get(entries, 'command');
  if (command) {
    const cache = get(entries, 'cache');
    return { command: asText(src, command.value, `${what}.command`), cache: cache ? asBool(src, cache.value, `${what}.cache`) : false };
  }
  const condition = get(entries, 'condition');
  if (condition) {
    const t = get(entries, 'when_true');
    const f = get(entries, 'when_false');
    return { condition: asText(src, condition.value, `${what}.condition`), whenTrue: t ? asText(src, t.value, `${what}.when_true`) : '', whenFalse: f ? asText(src, f.value, `${what}.when_false`) : '' };
  }
  throw src.error(node, `${what} must be text, {command, cache} or {condition, when_true, when_false}`);
}

/** `env:` -> static entries and the dynamic ones. */
export function parseEnv(src: YamlSource, node: Node | null, spec: EnvironmentSpec): Record<string, string> {
  const out: Record<string, string> = {};
  if (node === null) return out;
  for (const e of entriesOf(src, asMap(src, node, 'env'))) {
    const v = envValue(src, e.value, `env.${e.key}`);
    if ('static' in v) out[e.key] = v.static;
    else spec.dynamic[e.key] = v;
  }
  return out;
}

export function parseSecrets(src: YamlSource, node: Node | null): Record<string, SecretValue> {
  const out: Record<string, SecretValue> = {};
  if (node === null) return out;
  for (const e of entriesOf(src, asMap(src, node, 'secrets'))) {
    if (isMap(e.value)) {
      const m = entriesOf(src, e.value);
      const provider = get(m, 'provider');
      const key = get(m, 'key');
      const p = provider ? asText(src, provider.value, `secrets.${e.key}.provider`) : '';
      if (p !== 'env' && p !== 'file') throw src.error(provider?.value ?? e.value, `secrets.${e.key}.provider must be env or file (other providers are not available here)`);
      if (!key) throw src.error(e.value, `secrets.${e.key} needs key:`);
      out[e.key] = { provider: p, key: asText(src, key.value, `secrets.${e.key}.key`) };
    } else out[e.key] = { text: asText(src, e.value, `secrets.${e.key}`) };
  }
  return out;
}

export function parseEnvFiles(src: YamlSource, node: Node | null): string[] {
  if (isScalar(node)) return [asText(src, node, 'env_files')];
  return asSeq(src, node, 'env_files').items.map((it) => asText(src, it as Node, 'env_files'));
}

export function parseProfiles(src: YamlSource, node: Node | null): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const e of entriesOf(src, asMap(src, node, 'profiles'))) {
    const m = asMap(src, e.value, `profiles.${e.key}`);
    const values: Record<string, string> = {};
    for (const v of entriesOf(src, m)) {
      if (v.key === 'description') continue;
      const val = envValue(src, v.value, `profiles.${e.key}.${v.key}`);
      if (!('static' in val)) throw src.error(v.value, `profiles.${e.key}.${v.key} must be text`);
      values[v.key] = val.static;
    }
    out[e.key] = values;
  }
  return out;
}


/** `secrets:`, `env_files:`, `profiles:` at a workflow's top level (both modes): true when `key` was one. */
export function parseEnvironmentKey(src: YamlSource, key: string, node: Node | null, spec: EnvironmentSpec): boolean {
  if (key === 'secrets') spec.secrets = parseSecrets(src, node);
  else if (key === 'env_files') spec.envFiles = parseEnvFiles(src, node);
  else if (key === 'profiles') spec.profiles = parseProfiles(src, node);
  else return false;
  return true;
}
