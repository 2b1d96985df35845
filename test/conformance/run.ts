// Prints every failing conformance case with its reason, then "N passed, N failed".
// npx tsx is not a dependency: run through vitest's runner with `npm run conformance`.

import { runAll } from './suite.js';

const results = runAll();
for (const r of results.filter((x) => !x.ok)) console.log(`FAIL ${r.case.suite}/${r.case.name}: ${r.reason}`);
const passed = results.filter((r) => r.ok).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
