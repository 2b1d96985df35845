// The [rule] table of an Elastic detection-rules TOML file, as far as nightjar uses it.
// Unknown keys are allowed (Elastic adds many); the ones we use are typed.

import { z } from 'zod';

const reference = z.string();
const technique = z.object({
  id: z.string(),
  name: z.string(),
  reference: reference.optional(),
  subtechnique: z.array(z.object({ id: z.string(), name: z.string(), reference: reference.optional() })).optional(),
});

const ThreatSchema = z.object({
  framework: z.string(),
  tactic: z.object({ id: z.string(), name: z.string(), reference: reference.optional() }),
  technique: z.array(technique).optional(),
});

const duration = z.string().regex(/^\d+[smhd]$/, 'a duration such as 5m');

export const RuleSchema = z
  .object({
    rule_id: z.string().min(1),
    name: z.string().min(1),
    description: z.string(),
    risk_score: z.number().int().min(0).max(100),
    severity: z.enum(['low', 'medium', 'high', 'critical']),
    type: z.literal('eql', { errorMap: () => ({ message: 'only type = "eql" rules are supported' }) }),
    language: z.literal('eql').default('eql'),
    query: z.string().min(1),
    index: z.array(z.string()).optional(),
    interval: duration.default('5m'),
    from: z.string().regex(/^now-\d+[smhd]$/, 'a look-back such as now-9m').default('now-6m'),
    max_signals: z.number().int().positive().default(100),
    tags: z.array(z.string()).default([]),
    author: z.array(z.string()).default([]),
    license: z.string().optional(),
    references: z.array(z.string()).default([]),
    version: z.number().int().positive().default(1),
    false_positives: z.array(z.string()).default([]),
    threat: z.array(ThreatSchema).default([]),
  })
  .passthrough();

export type RuleDoc = z.infer<typeof RuleSchema>;
