// Locations inside the installed package (dist/ sits next to probes/ and rules/).

import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export const PACKAGE_ROOT = root.endsWith('/') ? root.slice(0, -1) : root;
export const PROBE_SCRIPT = `${PACKAGE_ROOT}/probes/nightjar.bt`;
export const BUNDLED_RULES_DIR = `${PACKAGE_ROOT}/rules`;
