// What an unprivileged local user can do, for the attack suite: run programs as `nobody`
// with byte-exact argv (any bytes but NUL, any argv[0]) and hostile names on disk.

import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa, type ResultPromise } from 'execa';

export const NOBODY = 65534;

/** argv prefix that drops to nobody:nogroup with no supplementary groups. */
export const asNobody = ['/usr/bin/setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--'];

// perl reads hex lines from stdin: the program's path, then argv (argv[0] first), and execs it.
const EXEC_HEX = 'my @a = map { chomp; pack "H*", $_ } <STDIN>; my $p = shift @a; exec { $p } @a or die "exec: $!\\n";';

/**
 * Execs `path` with exactly these argv bytes as nobody. The pid stays the same through
 * setpriv -> perl -> path, so the target's exec event has the returned pid.
 */
export function execBytesAsNobody(path: Buffer | string, argv: (Buffer | string)[]): ResultPromise {
  const hex = [path, ...argv].map((a) => Buffer.from(a).toString('hex')).join('\n');
  const [file, ...args] = asNobody;
  return execa(file!, [...args, '/usr/bin/perl', '-e', EXEC_HEX], { input: `${hex}\n`, reject: false, stdout: 'ignore', timeout: 20000 });
}

/** A fresh directory nobody can read and execute from. */
export function nobodyDir(prefix: string): string {
  const dir = mkdtempSync(`${tmpdir()}/${prefix}`);
  chmodSync(dir, 0o755);
  return dir;
}

/** What the agent reports for argv bytes: UTF-8, each invalid sequence as U+FFFD (WHATWG decoding). */
export const decoded = (b: Buffer | string) => Buffer.from(b).toString('utf8');
