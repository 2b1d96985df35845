// Where the checkout is, and the optional material beside it (../shared, or NIGHTJAR_SHARED):
// a user's clean clone has none of it, so nothing here may be required to exist.

import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const REPO = resolve(fileURLToPath(new URL('../../', import.meta.url)));
export const SHARED = resolve(process.env.NIGHTJAR_SHARED ?? `${REPO}/../shared`);
export const NIGHTJAR_BIN = `${REPO}/bin/nightjar`;
