/** Types of scripts/setup.js (plain JavaScript: it runs before any dependency is installed). */
export declare function toolsFor(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ('temporal' | 'versitygw')[];
export declare function installedCount(): number;
