/**
 * Where everything a worker reads and writes lives: one URL setting, `MSELECT_STORAGE`
 * (`s3://bucket/prefix`, `file:///abs/path` or a plain path; default the local `data/`
 * folder), with the S3 endpoint, region and credentials from the standard AWS variables.
 */
import { z } from 'zod';

/** S3's bucket naming rules (3–63 of a-z 0-9 . -, starting and ending with a letter or digit). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const endpointUrl = z
  .string()
  .regex(/^https?:\/\/[^/\s]+/, 'must be a URL such as http://127.0.0.1:7070')
  .pipe(z.string().url('must be a URL such as http://127.0.0.1:7070'));
const nonEmpty = z
  .string()
  .min(1)
  .optional()
  .or(z.literal('').transform(() => undefined));

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  tib: 1024 ** 4,
};

/** A size in bytes: a whole number, optionally with a unit (`16MiB`, `64MB`, `20GB`, `1.5GiB`; KB/MB/GB powers of 1000, KiB/MiB/GiB of 1024). */
export const ByteSizeSchema = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?\s*([kmgt]i?b?|b)?$/i, 'must be a size such as 16MiB, 64MB, 20GB or a number of bytes')
  .transform((v) => {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v) as RegExpExecArray;
    return Math.round(Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? Number.NaN));
  })
  .pipe(z.number().int().nonnegative().finite());

/** The environment variables the storage settings are read from (unknown variables are ignored). */
export const StorageEnvSchema = z.object({
  MSELECT_STORAGE: nonEmpty,
  AWS_ENDPOINT_URL_S3: nonEmpty.pipe(endpointUrl.optional()),
  AWS_ENDPOINT_URL: nonEmpty.pipe(endpointUrl.optional()),
  AWS_REGION: nonEmpty,
  AWS_DEFAULT_REGION: nonEmpty,
  AWS_ACCESS_KEY_ID: nonEmpty,
  AWS_SECRET_ACCESS_KEY: nonEmpty,
  AWS_SESSION_TOKEN: nonEmpty,
  /** `true`/`false` forces path-style addressing; default: path-style for any endpoint that is not AWS. */
  MSELECT_S3_PATH_STYLE: z.enum(['true', 'false']).optional(),
  /** Part size of multipart uploads and ranged downloads (5 MiB to 5 GiB; raised so an object fits in 10,000 parts). @default 16MiB */
  MSELECT_S3_PART_SIZE: nonEmpty.pipe(
    ByteSizeSchema.pipe(
      z
        .number()
        .min(5 * 1024 ** 2, "must be at least 5MiB (S3's smallest part)")
        .max(5 * 1024 ** 3, "must be at most 5GiB (S3's largest part)"),
    ).optional(),
  ),
  /** Parts in flight per transfer. @default 8 */
  MSELECT_S3_CONCURRENCY: nonEmpty.pipe(z.coerce.number().int('must be a whole number').min(1).max(64).optional()),
});

/** `s3://bucket` or `s3://bucket/prefix/`. */
export const S3UrlSchema = z
  .string()
  .regex(/^s3:\/\/[^/]+(\/.*)?$/, 'must look like s3://bucket or s3://bucket/prefix')
  .transform((url) => {
    const rest = url.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    return { bucket, prefix: prefix === '' ? '' : `${prefix}/` };
  })
  .superRefine((v, ctx) => {
    if (!BUCKET_NAME.test(v.bucket)) ctx.addIssue({ code: 'custom', message: `bucket "${v.bucket}" is not a valid S3 bucket name (3-63 of a-z 0-9 . -)` });
    if (
      v.prefix
        .split('/')
        .slice(0, -1)
        .some((p) => p === '' || p === '.' || p === '..')
    )
      ctx.addIssue({ code: 'custom', message: `prefix "${v.prefix}" has an empty, "." or ".." segment` });
  });

export const S3SettingsSchema = z.object({
  kind: z.literal('s3'),
  bucket: z.string().regex(BUCKET_NAME),
  /** '' or ending in '/'. */
  prefix: z.string(),
  endpoint: z.string().url().optional(),
  region: z.string().min(1),
  forcePathStyle: z.boolean(),
  /** Absent: the AWS SDK's default chain (instance profile, SSO, ~/.aws). */
  credentials: z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1), sessionToken: z.string().optional() }).optional(),
  /** Bytes per part of `putFile` / `getFile` transfers; @default 16 MiB (storage/transfer.ts). */
  partSize: z
    .number()
    .int()
    .min(5 * 1024 ** 2)
    .max(5 * 1024 ** 3)
    .optional(),
  /** Parts in flight per transfer; @default 8. */
  concurrency: z.number().int().min(1).max(64).optional(),
});
export const FileSettingsSchema = z.object({ kind: z.literal('file'), root: z.string().min(1) });
export const StorageSettingsSchema = z.discriminatedUnion('kind', [FileSettingsSchema, S3SettingsSchema]);
export type StorageSettings = z.infer<typeof StorageSettingsSchema>;
export type S3Settings = z.infer<typeof S3SettingsSchema>;
