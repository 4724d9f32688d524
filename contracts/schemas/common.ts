import { z } from 'zod';

/** A Temporal duration as users type it: milliseconds or a string like `30s`, `2m`, `1h`. */
export const DurationSchema = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'must be a duration like "500ms", "30s", "2m", "1h"'),
]);
export type DurationInput = z.infer<typeof DurationSchema>;

/**
 * Ids typed in the UI or on the command line name folders under a worker's roots, so none may
 * be absolute or hold a `.` or `..` path segment.
 */
export function staysInside(id: string): boolean {
  return !id.startsWith('/') && id.split('/').every((segment) => segment !== '..' && segment !== '.');
}
/** A seed: a non-negative 32-bit integer, 0 when absent (fine-tunes, probes, selections, offline runs). */
export const SeedSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1)
  .default(0);

export const STAYS_INSIDE_MESSAGE = 'must not be an absolute path or contain a "." or ".." segment';

/**
 * A hub-style id as model hubs spell them (`org/name`, `glue/sst2`, `bert-base-uncased`):
 * no whitespace, backslash or control character, no empty, `.` or `..` segment, no leading or
 * trailing `/`. Where such an id names a file it is encoded first (never used as a path).
 */
export function isHubId(id: string): boolean {
  return id.length > 0 && id.length <= 300 && !/[\s\\\x00-\x1f\x7f]/.test(id) && id.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}
export const HUB_ID_MESSAGE = 'must be an id like "org/name" or "glue/sst2": no spaces, backslashes or control characters, no empty, "." or ".." segment';

const SEARCH_ATTRIBUTE_TYPES = ['Keyword', 'Text', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList'] as const;

/** `temporal-dev.yml`: the embedded dev server's settings. */
export const DevServerConfigSchema = z
  .object({
    ip: z.string().default('127.0.0.1'),
    port: z.number().int().min(1).max(65535).default(7233),
    ui: z.boolean().default(true),
    uiPort: z.number().int().min(1).max(65535).default(8233),
    namespace: z.string().min(1).default('default'),
    /** SQLite file, relative to the project root; workflow histories survive a restart. */
    dbFile: z.string().min(1).default('data/temporal/dev.sqlite'),
    searchAttributes: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), z.enum(SEARCH_ATTRIBUTE_TYPES)).default({}),
    /** Dynamic config values: key → JSON value. */
    dynamicConfig: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('warn'),
  })
  .strict();
export type DevServerConfig = z.infer<typeof DevServerConfigSchema>;

/** A PEM file or its contents, as Temporal's client configuration gives it. */
const PemSourceSchema = z.union([z.object({ path: z.string().min(1) }).strict(), z.object({ data: z.union([z.string(), z.instanceof(Uint8Array)]) }).strict()]);

/**
 * How workers, the CLI and starters reach Temporal: one profile of Temporal's client
 * configuration (`@temporalio/envconfig`), the same a `temporal` CLI reads: a `temporal.toml`
 * profile (`TEMPORAL_CONFIG_FILE`, `TEMPORAL_PROFILE`) overridden by `TEMPORAL_ADDRESS`,
 * `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS*`, `TEMPORAL_GRPC_META_*`. When no
 * address is set, the embedded dev server of `temporal-dev.yml` is used.
 */
export const ConnectionConfigSchema = z
  .object({
    address: z
      .string()
      .regex(/^[^\s:/]+:\d+$/, 'must be host:port')
      .optional(),
    namespace: z.string().min(1).optional(),
    apiKey: z.string().min(1).optional(),
    tls: z
      .object({
        disabled: z.boolean().optional(),
        serverName: z.string().min(1).optional(),
        clientCert: PemSourceSchema.optional(),
        clientKey: PemSourceSchema.optional(),
        serverCACert: PemSourceSchema.optional(),
      })
      .optional(),
    grpcMeta: z.record(z.string(), z.string()).optional(),
  })
  .refine((c) => !c.tls || Boolean(c.tls.clientCert) === Boolean(c.tls.clientKey), {
    message: 'a client certificate and its key must be set together',
    path: ['tls', 'clientCert'],
  });
export type ConnectionConfig = z.infer<typeof ConnectionConfigSchema>;

/**
 * An external trainer a GPU worker may run (file named by `MSELECT_COMMAND_TRAINER`). The
 * command comes only from the worker's own configuration, never from workflow input.
 */
export const CommandTrainerFileSchema = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).default({}),
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/)
      .default('command'),
  })
  .strict();
export type CommandTrainerFile = z.infer<typeof CommandTrainerFileSchema>;
