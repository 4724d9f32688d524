import { z } from 'zod';
import { parsePolicySpec } from './policy';

/** Which replay protocol: `paper` (Table VI setting) or `loo` (honest leave-one-dataset-out). */
export const ReplayProtocolSchema = z.enum(['paper', 'loo']);

/** One policy spec, `name` or `name:key=value;key=value`, checked against the policy registry. */
export const PolicySpecSchema = z
  .string()
  .trim()
  .min(1)
  .superRefine((spec, ctx) => {
    try {
      parsePolicySpec(spec);
    } catch (e) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: e instanceof Error ? e.message : String(e) });
    }
  });

/** Policy specs as typed: a list, each entry possibly comma-separated (`brute-force,successive-halving`). */
export const PolicySpecListSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((v) =>
    (Array.isArray(v) ? v : [v])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  )
  .pipe(z.array(PolicySpecSchema).min(1, 'at least one method is needed'));

/** Options of `mselect replay`. `methods` absent = the protocol's default list. */
export const ReplayCommandInputSchema = z
  .object({
    data: z.string().min(1),
    protocol: ReplayProtocolSchema.default('paper'),
    methods: PolicySpecListSchema.optional(),
    json: z.boolean().default(false),
    seed: z.coerce.number().int().default(1),
    /** loo: smallest pool a target needs; absent = min(25, models recorded). */
    minModels: z.coerce.number().int().min(1).optional(),
  })
  .strict();
