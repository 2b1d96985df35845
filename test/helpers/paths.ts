// Where the checkout and ../shared are, for tests.

import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const REPO = resolve(fileURLToPath(new URL('../../', import.meta.url)));
export const SHARED = resolve(process.env.NIGHTJAR_SHARED ?? `${REPO}/../shared`);
export const NIGHTJAR_BIN = `${REPO}/bin/nightjar`;
