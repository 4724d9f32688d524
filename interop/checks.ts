/**
 * Plausibility checks of a performance matrix, shared by `mselect import --dry-run` and
 * `mselect evaluate`: the scale of each dataset's values (fractions or percent), targets where
 * almost every model sits at one floor value (chance level), too few models to rank. Pure.
 */

export type Scale = 'fraction' | 'percent' | 'other';

/** Fractions when every value lies in [0, 1]; percent when some exceed 1.5 and none exceeds 100 or is negative. */
export function scaleOf(values: readonly number[]): Scale {
  const v = values.filter(Number.isFinite);
  if (v.length === 0 || v.every((x) => x >= 0 && x <= 1)) return 'fraction';
  if (v.every((x) => x >= 0 && x <= 100) && v.some((x) => x > 1.5)) return 'percent';
  return 'other';
}

/** How many points one unit of a value is: 100 for fractions (regret in points of accuracy), 1 otherwise. */
export const pointsPerUnit = (scale: Scale): number => (scale === 'fraction' ? 100 : 1);

/**
 * A target is at chance level when at least `share` of its models lie within `tolerance` × the
 * value range of the scale (1 or 100) above the worst model: fine-tuning collapsed to one floor.
 */
export function chanceLevel(values: readonly number[], o: { share?: number; tolerance?: number } = {}): { atFloor: number; of: number; floor: number } | null {
  const v = values.filter(Number.isFinite);
  if (v.length < 3) return null;
  const unit = scaleOf(v) === 'percent' ? 100 : 1;
  const floor = Math.min(...v);
  const atFloor = v.filter((x) => x - floor <= (o.tolerance ?? 0.01) * unit).length;
  return atFloor >= (o.share ?? 0.75) * v.length ? { atFloor, of: v.length, floor } : null;
}

/** A warning about one dataset's values, or none. */
export function datasetWarnings(dataset: string, values: readonly number[], o: { minModels?: number; scale?: Scale } = {}): string[] {
  const out: string[] = [];
  const finite = values.filter(Number.isFinite);
  const scale = scaleOf(finite);
  if (scale === 'percent')
    out.push(
      `${dataset}: values look like percent (max ${Math.max(...finite)}); regret is reported in the same units; divide by 100 on import if the others are fractions`,
    );
  if (o.scale !== undefined && scale !== o.scale && finite.length > 0)
    out.push(`${dataset}: values are on a ${scale} scale, but most datasets are on a ${o.scale} scale`);
  const chance = chanceLevel(finite);
  if (chance) out.push(`${dataset}: ${chance.atFloor} of ${chance.of} models sit at ${chance.floor} (chance level?): ranking them there says little`);
  if (o.minModels !== undefined && finite.length < o.minModels) out.push(`${dataset}: only ${finite.length} model(s) with a value, fewer than ${o.minModels}`);
  return out;
}

/** The scale most datasets use (ties: fraction). */
export function commonScale(byDataset: readonly (readonly number[])[]): Scale {
  const counts = new Map<Scale, number>();
  byDataset.forEach((v) => counts.set(scaleOf(v), (counts.get(scaleOf(v)) ?? 0) + 1));
  return (['fraction', 'percent', 'other'] as const).reduce((best, s) => ((counts.get(s) ?? 0) > (counts.get(best) ?? 0) ? s : best), 'fraction' as Scale);
}
