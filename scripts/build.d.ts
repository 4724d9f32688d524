/** Types of scripts/build.js (plain JavaScript: it runs before anything is compiled). */
export declare function isStale(): boolean;
export declare function build(): { ok: boolean; seconds: number; output: string };
export declare function buildIfStale(): { ok: boolean; seconds: number; output: string } | null;
export declare function ensureBuilt(log?: (line: string) => void): boolean;
