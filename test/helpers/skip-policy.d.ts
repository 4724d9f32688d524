export declare const GROUPS: readonly ['reproduces published numbers', 'needs chromium', 'needs PyTorch'];
export type SkipGroup = (typeof GROUPS)[number];
export declare function gatedTitle(group: SkipGroup, what: string, reason?: string): string;
export declare function skipAllowed(title: string): boolean;
