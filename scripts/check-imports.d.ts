/** Types of scripts/check-imports.js (plain JavaScript, run by `npm run lint`). */
export declare function importGraph(files: readonly string[]): Map<string, Set<string>>;
export declare function loops(graph: ReadonlyMap<string, Iterable<string>>): string[][];
