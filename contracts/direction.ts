/** Whether a higher (`maximize`) or a lower (`minimize`) metric is better: the schemas' enum and the algorithms' type. */
export const DIRECTIONS = ['maximize', 'minimize'] as const;
export type Direction = (typeof DIRECTIONS)[number];
