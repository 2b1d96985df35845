// Material from ../shared (or an environment variable) that a user's clone may lack: found, or
// one visible skip saying where to put it; under CI=true its absence is a failure.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { it } from 'vitest';
import { SHARED } from './paths.js';

/** The first of $envVar and ../shared/<rel> that holds `marker`; undefined if neither does. */
export function sharedCorpus(envVar: string, rel: string, marker: string): string | undefined {
  return [process.env[envVar], `${SHARED}/${rel}`]
    .filter((d): d is string => !!d)
    .map((d) => resolve(d))
    .find((d) => existsSync(`${d}/${marker}`));
}

/** Call at the top of a test file when sharedCorpus gave undefined. */
export function corpusAbsent(what: string, envVar: string, rel: string): void {
  const where = `${what} not found: set ${envVar} or put it at ../shared/${rel}`;
  if (process.env.CI === 'true') throw new Error(`${where} (required under CI=true)`);
  it.skipIf(true)(where, () => {});
}

/** Elasticsearch's EQL spec suite. */
export const EQL_SUITE = sharedCorpus('NIGHTJAR_EQL_SUITE', 'eql-conformance', 'test_queries.toml');
/** Elastic's published detection rules. */
export const DETECTION_RULES = sharedCorpus('NIGHTJAR_DETECTION_RULES', 'detection-rules', 'rules/linux');
