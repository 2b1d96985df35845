// uid/gid name cache: host-root prefix, malformed lines, bounded re-checks, reload on change.

import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIdFile, UserNames } from '../../src/host/user-names.js';

const root = mkdtempSync(join(tmpdir(), 'nj-names-'));
mkdirSync(join(root, 'etc'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('user and group names', () => {
  it('parses passwd/group lines, first name per id, skipping malformed ones', () => {
    const m = parseIdFile('root:x:0:0:root:/root:/bin/bash\n# c\nbad\nx::notanumber:1\ntoor:x:0:0::/:/bin/sh\nalice:x:1000:1000::/home/a:/bin/sh\n');
    expect([...m]).toEqual([[0, 'root'], [1000, 'alice']]);
  });

  it('reads under the host root, re-checks at most every recheckMs, reloads when a file changes', () => {
    let now = 0;
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nadm:x:4:\n');
    const names = new UserNames(root, 1000, () => now);
    expect([names.user(0), names.group(4), names.user(1000)]).toEqual(['root', 'adm', undefined]);
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nbob:x:1000:1000::/:/bin/sh\n');
    utimesSync(join(root, 'etc/passwd'), new Date(), new Date(Date.now() + 5000));
    now = 500;
    expect(names.user(1000)).toBeUndefined(); // within the re-check interval: cached
    now = 1500;
    expect(names.user(1000)).toBe('bob');
    expect(names.stats.reloads).toBe(3); // passwd, group, passwd again
    now = 3000;
    names.user(0);
    expect(names.stats.reloads).toBe(3); // unchanged files are not re-read
  });

  it('has no names (ids only) when the files are missing', () => {
    const names = new UserNames(join(root, 'nowhere'));
    expect([names.user(0), names.group(0)]).toEqual([undefined, undefined]);
  });
});
