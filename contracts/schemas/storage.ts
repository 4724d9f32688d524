/**
 * Where everything a worker reads and writes lives: one URL setting, `MSELECT_STORAGE`
 * (`s3://bucket/prefix`, `file:///abs/path` or a plain path; default the local `data/`
 * folder), with the S3 endpoint, region and credentials from the standard AWS variables.
 */
import { z } from 'zod';

/** S3's bucket naming rules (3–63 of a-z 0-9 . -, starting and ending with a letter or digit). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const endpointUrl = z.string().regex(/^https?:\/\/[^/\s]+/, 'must be a URL such as http://127.0.0.1:7070').pipe(z.string().url('must be a URL such as http://127.0.0.1:7070'));
const nonEmpty = z.string().min(1).optional().or(z.literal('').transform(() => undefined));

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
    if (v.prefix.split('/').slice(0, -1).some((p) => p === '' || p === '.' || p === '..')) ctx.addIssue({ code: 'custom', message: `prefix "${v.prefix}" has an empty, "." or ".." segment` });
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
});
export const FileSettingsSchema = z.object({ kind: z.literal('file'), root: z.string().min(1) });
export const StorageSettingsSchema = z.discriminatedUnion('kind', [FileSettingsSchema, S3SettingsSchema]);
export type StorageSettings = z.infer<typeof StorageSettingsSchema>;
export type S3Settings = z.infer<typeof S3SettingsSchema>;
