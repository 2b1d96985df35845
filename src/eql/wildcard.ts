// EQL wildcard patterns (* any run, ? one character, no escaping) -> anchored RegExp, cached.

const cache = new Map<string, RegExp>();

export function wildcardRegExp(pattern: string, insensitive: boolean): RegExp {
  const key = `${insensitive ? 'i' : 's'}${pattern}`;
  let re = cache.get(key);
  if (!re) {
    let src = '';
    for (const ch of pattern) {
      if (ch === '*') src += '[\\s\\S]*';
      else if (ch === '?') src += '[\\s\\S]';
      else src += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`, insensitive ? 'iu' : 'u');
    if (cache.size > 10000) cache.clear();
    cache.set(key, re);
  }
  return re;
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
