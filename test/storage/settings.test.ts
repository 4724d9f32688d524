/** MSELECT_STORAGE and the AWS variables, read in one place; bad values name the variable. */
import * as path from 'node:path';
import { readStorageSettings, StorageConfigError } from '../../storage';

const read = (env: Record<string, string>) => readStorageSettings(env, '/default/data');

describe('storage settings', () => {
  it('default to the local data folder; a plain path or file URL is a folder', () => {
    expect(read({})).toEqual({ kind: 'file', root: '/default/data' });
    expect(read({ MSELECT_STORAGE: '' })).toEqual({ kind: 'file', root: '/default/data' });
    expect(read({ MSELECT_STORAGE: 'rel/dir' })).toEqual({ kind: 'file', root: path.resolve('rel/dir') });
    expect(read({ MSELECT_STORAGE: 'file:///srv/mselect' })).toEqual({ kind: 'file', root: '/srv/mselect' });
  });

  it('s3:// takes the bucket, prefix, endpoint, region and keys from the standard AWS variables', () => {
    const env = {
      MSELECT_STORAGE: 's3://my-bucket/team/a/',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:7070',
      AWS_ACCESS_KEY_ID: 'k',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_REGION: 'eu-west-1',
    };
    expect(read(env)).toEqual({
      kind: 's3',
      bucket: 'my-bucket',
      prefix: 'team/a/',
      endpoint: 'http://127.0.0.1:7070',
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    });
    expect(read({ MSELECT_STORAGE: 's3://my-bucket' })).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: '', region: 'us-east-1', forcePathStyle: false });
    expect(read({ MSELECT_STORAGE: 's3://my-bucket', AWS_ENDPOINT_URL: 'https://s3.eu-west-1.amazonaws.com' })).toMatchObject({
      endpoint: 'https://s3.eu-west-1.amazonaws.com',
      forcePathStyle: false,
    });
    expect(read({ MSELECT_STORAGE: 's3://my-bucket', AWS_ENDPOINT_URL: 'http://minio:9000', MSELECT_S3_PATH_STYLE: 'false' })).toMatchObject({
      forcePathStyle: false,
    });
  });

  it("part size and concurrency of transfers: sizes with units, S3's part limits, named when wrong", () => {
    const s3 = { MSELECT_STORAGE: 's3://my-bucket' };
    expect(read({ ...s3, MSELECT_S3_PART_SIZE: '64MiB', MSELECT_S3_CONCURRENCY: '16' })).toMatchObject({ partSize: 64 * 1024 ** 2, concurrency: 16 });
    expect(read({ ...s3, MSELECT_S3_PART_SIZE: '100MB' })).toMatchObject({ partSize: 100e6 });
    expect(read(s3)).not.toHaveProperty('partSize');
    expect(() => read({ ...s3, MSELECT_S3_PART_SIZE: '1MiB' })).toThrow(/MSELECT_S3_PART_SIZE.*at least 5MiB/);
    expect(() => read({ ...s3, MSELECT_S3_PART_SIZE: 'big' })).toThrow(/MSELECT_S3_PART_SIZE.*must be a size such as 16MiB/);
    expect(() => read({ ...s3, MSELECT_S3_CONCURRENCY: '0' })).toThrow(/MSELECT_S3_CONCURRENCY/);
  });

  it('malformed values are StorageConfigErrors naming the setting', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ MSELECT_STORAGE: 's3://' }, /MSELECT_STORAGE=s3:\/\/ is not a valid S3 URL/],
      [{ MSELECT_STORAGE: 's3://Bad_Bucket/x' }, /bucket "Bad_Bucket" is not a valid S3 bucket name/],
      [{ MSELECT_STORAGE: 's3:/bucket' }, /MSELECT_STORAGE=s3:\/bucket is not a valid S3 URL/],
      [{ MSELECT_STORAGE: 's3://bucket/a/../b' }, /prefix "a\/..\/b\/" has an empty, "." or ".." segment/],
      [{ MSELECT_STORAGE: 'gs://bucket' }, /MSELECT_STORAGE=gs:\/\/bucket has an unsupported scheme/],
      [{ MSELECT_STORAGE: 'file://host/x' }, /MSELECT_STORAGE=file:\/\/host\/x is not a valid file URL/],
      [{ MSELECT_STORAGE: 's3://bucket', AWS_ENDPOINT_URL_S3: 'not a url' }, /AWS_ENDPOINT_URL_S3: must be a URL/],
      [{ MSELECT_STORAGE: 's3://bucket', AWS_ACCESS_KEY_ID: 'k' }, /AWS_SECRET_ACCESS_KEY is missing/],
      [{ MSELECT_S3_PATH_STYLE: 'yes' }, /MSELECT_S3_PATH_STYLE/],
    ];
    for (const [env, message] of bad) {
      expect(() => read(env)).toThrow(StorageConfigError);
      expect(() => read(env)).toThrow(message);
    }
  });
});
