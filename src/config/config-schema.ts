// nightjar's config file (/etc/nightjar/config.yaml): every key optional, unknown keys
// rejected. Defaults here are the agent's defaults.

import { z } from 'zod';
import { OutputSchema } from './outputs-schema.js';

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

const ExceptionItem = z
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
        /** rotated files an output has not delivered are kept beyond rotate.keep up to this many bytes; past it the oldest is dropped, loudly */
        max_undelivered_bytes: z.number().int().positive().default(1073741824),
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
    outputs: z
      .array(OutputSchema)
      .default([])
      .superRefine((outs, ctx) => {
        const seen = new Set<string>();
        outs.forEach((o, i) => {
          if (seen.has(o.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate output name ${o.name}` });
          seen.add(o.name);
        });
      }),
    state_dir: z.string().default('/var/lib/nightjar'),
    metrics: z
      .object({
        listen: z.string().default('127.0.0.1:9464'),
        /** /healthz fails when an output's oldest undelivered alert is older than this */
        delivery_stuck_after_s: z.number().int().min(1).default(900),
      })
      .strict()
      .default({}),
    host_root: z.string().default(''),
    events: z
      .object({
        /** environment variables copied into process.env_vars of exec events; none by default (environments hold secrets) */
        env_vars: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name')).max(64).default([]),
      })
      .strict()
      .default({}),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type ExceptionItemDoc = z.infer<typeof ExceptionItem>;
