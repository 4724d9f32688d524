import { z } from 'zod';

/**
 * Every transferability proxy the recall phase can rank models by. All are "higher is
 * better": LEEP and LogME (log-likelihood and log-evidence per sample), PARC (Spearman
 * ρ × 100), NCE (−H(Y|Z), ≤ 0), H-score and its shrinkage version, and the history prior
 * (a model's mean fine-tuned accuracy over the offline datasets).
 */
export const PROXY_NAMES = ['leep', 'logme', 'parc', 'nce', 'hscore', 'hscore-shrinkage', 'history-prior'] as const;
export const ProxyNameSchema = z.enum(PROXY_NAMES);
export type ProxyName = z.infer<typeof ProxyNameSchema>;

/**
 * How a proxy's scores are put on a common scale across the models before they are added:
 * 'zscore' (v − mean) / standard deviation (population), 'minmax' (v − min) / (max − min)
 * in [0, 1], 'rank' (average rank − (n + 1)/2) / (n − 1) in [−½, ½] for n models, 'none' the
 * raw value. A proxy whose scores are all equal (or a single model) normalises to 0 under
 * every scaling but 'none'.
 */
export const ProxyNormalizationSchema = z.enum(['zscore', 'minmax', 'rank', 'none']);
export type ProxyNormalization = z.infer<typeof ProxyNormalizationSchema>;

/** One term of a weighted sum: weight · normalise(proxy). */
export const ProxyTermSchema = z
  .object({
    proxy: ProxyNameSchema,
    weight: z.number().finite().default(1),
    normalize: ProxyNormalizationSchema.default('zscore'),
  })
  .strict();

/** One factor of a product: transform(proxy) ^ power; 'exp' turns a log-likelihood (LEEP) into a likelihood. */
export const ProxyFactorSchema = z
  .object({
    proxy: ProxyNameSchema,
    transform: z.enum(['identity', 'exp']).default('identity'),
    power: z.number().finite().default(1),
  })
  .strict();

/**
 * How the recall score of a model is built from its proxy scores:
 * - 'single': one proxy as it is;
 * - 'weighted-sum': Σ_t weight_t · normalise_t(proxy_t);
 * - 'product': Π_f transform_f(proxy_f) ^ power_f, e.g. the paper's prior × exp(LEEP).
 */
export const ProxyCombinationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('single'), proxy: ProxyNameSchema }).strict(),
  z.object({ kind: z.literal('weighted-sum'), terms: z.array(ProxyTermSchema).min(1).max(32) }).strict(),
  z.object({ kind: z.literal('product'), factors: z.array(ProxyFactorSchema).min(1).max(32) }).strict(),
]);
export type ProxyCombination = z.infer<typeof ProxyCombinationSchema>;
export type ProxyCombinationInput = z.input<typeof ProxyCombinationSchema>;

/** The combination of Cui et al. (ICDE 2024): history prior × exp(LEEP). */
export const PAPER_PROXY_COMBINATION: ProxyCombination = ProxyCombinationSchema.parse({
  kind: 'product',
  factors: [{ proxy: 'history-prior' }, { proxy: 'leep', transform: 'exp' }],
});
