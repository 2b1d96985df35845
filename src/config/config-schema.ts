// nightjar's config file (/etc/nightjar/config.yaml): every key optional, unknown keys
// rejected. Defaults here are the agent's defaults.

import { z } from 'zod';

const ExceptionEntry = z
  .object({
    field: z.string().min(1),
    /** Elastic's entry types: match ("is"), match_any ("is one of"), wildcard ("matches"), exists */
    type: z.enum(['match', 'match_any', 'wildcard', 'exists']),
    /** excluded negates the entry ("is not", "does not exist") */
    operator: z.enum(['included', 'excluded']).default('included'),
    value: z.union([z.string(), z.array(z.string())]).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.type !== 'exists' && e.value === undefined) ctx.addIssue({ code: 'custom', message: `type ${e.type} needs a value` });
    if (e.type === 'match_any' && !Array.isArray(e.value)) ctx.addIssue({ code: 'custom', message: 'match_any needs a list of values' });
  });

export const ExceptionItem = z
  .object({
    /** omitted: applies to every rule */
    rule_id: z.string().optional(),
    name: z.string().optional(),
    entries: z.array(ExceptionEntry).min(1),
  })
  .strict();

export const ConfigSchema = z
  .object({
    alerts: z
      .object({
        path: z.string().default('/var/log/nightjar/alerts.ndjson'),
        rotate: z.object({ max_bytes: z.number().int().positive().default(104857600), keep: z.number().int().min(1).max(100).default(5) }).strict().default({}),
      })
      .strict()
      .default({}),
    rules: z
      .object({
        paths: z.array(z.string()).default([]),
        exceptions: z.array(ExceptionItem).default([]),
      })
      .strict()
      .default({}),
    state_dir: z.string().default('/var/lib/nightjar'),
    metrics: z.object({ listen: z.string().default('127.0.0.1:9464') }).strict().default({}),
    host_root: z.string().default(''),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type ExceptionItemDoc = z.infer<typeof ExceptionItem>;
