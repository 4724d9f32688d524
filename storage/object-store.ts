/**
 * The storage layer: key/value blobs under '/'-separated relative keys, with the two
 * operations a store that many machines write at once needs: an atomic replace (`put`) and a
 * conditional create (`putIfAbsent`: `If-None-Match: *` on S3, a hard link on a filesystem).
 * Two backends implement it: `FsObjectStore` (a local or shared folder) and `S3ObjectStore`
 * (AWS S3, MinIO, Ceph, versitygw, GCS's XML API). Settings: `storage/settings.ts`.
 */

/** What `head` and `list` report about one object. */
export interface ObjectInfo {
  /** The key relative to the store it was listed from. */
  readonly key: string;
  readonly size: number;
  /** Changes whenever the content does (S3: the ETag; filesystem: size, mtime and inode). */
  readonly etag: string;
  /** Last modification, ms since the epoch (S3: second resolution). */
  readonly mtimeMs: number;
  /**
   * The SHA-256 (hex) of the bytes, recorded by `putFile` when the object was written (S3: user
   * metadata `sha256`; filesystem: a hidden sidecar). Absent for objects written otherwise.
   * `head` and `getFile` report it; `list` does not.
   */
  readonly sha256?: string;
}

/** What `putFile` stored: the size and the SHA-256 (hex) recorded with the object. */
export interface StoredFile {
  readonly size: number;
  readonly sha256: string;
}

export interface PutFileOptions {
  /** The file's SHA-256 (hex) when the caller computed it while writing the file; otherwise `putFile` reads the file once to compute it. */
  readonly sha256?: string;
}

/**
 * A blob written in pieces (e.g. an Arrow file as its writer produces it). Nothing is visible
 * under the key until `finish` resolves, and then all of it is; `abort` leaves nothing behind.
 */
export interface BlobUpload {
  readonly key: string;
  /** Append bytes (buffered or written through; the caller may reuse nothing it passed). */
  write(bytes: Uint8Array): void;
  /** Publish the blob (atomic replace); durable when it resolves. */
  finish(): Promise<void>;
  abort(): Promise<void>;
}

export interface ObjectStore {
  /** Where this store lives, as a URL (`file:///abs/dir` or `s3://bucket/prefix`). */
  readonly url: string;
  /** Where `key` lives, for messages (a path, or an s3:// URL). */
  describe(key: string): string;
  /** The whole object. Throws ObjectNotFoundError. */
  get(key: string): Promise<Buffer>;
  /** Up to `length` bytes from `offset` (fewer when the object is shorter). Throws ObjectNotFoundError. */
  getRange(key: string, offset: number, length: number): Promise<Buffer>;
  /** The object as a stream of chunks, for large blobs. Throws ObjectNotFoundError before the first chunk. */
  read(key: string): Promise<AsyncIterable<Uint8Array>>;
  /** Size, ETag and time of an object, or null when there is none. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Create or atomically replace an object; durable when it resolves. */
  put(key: string, bytes: Uint8Array | string): Promise<void>;
  /** Create an object only if the key is free; false when it already exists (another writer won). */
  putIfAbsent(key: string, bytes: Uint8Array | string): Promise<boolean>;
  /** Start a blob written in pieces (see BlobUpload). */
  upload(key: string): BlobUpload;
  /**
   * Upload a local file as `key` (atomic replace), recording its SHA-256 with it. S3: one
   * PutObject up to the part size, a multipart upload in parallel parts above it (memory:
   * concurrency × part size; a failed part is retried alone), up to S3's 5 TB.
   */
  putFile(key: string, file: string, options?: PutFileOptions): Promise<StoredFile>;
  /**
   * Download `key` into a local file (temporary file, then rename; S3: parallel ranged GETs
   * written in place). The bytes are checked against the recorded SHA-256 (and size): a
   * mismatch is fetched once more, then an ObjectCorruptError naming the object. The result
   * carries the SHA-256 of what was written (computed in the same pass). Throws ObjectNotFoundError.
   */
  getFile(key: string, file: string): Promise<ObjectInfo & { readonly sha256: string }>;
  /** Every object whose key starts with `prefix`, sorted by key (keys relative to this store). */
  list(prefix?: string): Promise<ObjectInfo[]>;
  /** Remove an object; removing a missing one is fine. */
  delete(key: string): Promise<void>;
  /**
   * Remove what writers killed mid-write left behind (filesystem: temporary files last modified
   * before `cutoffMs`; S3: nothing, a PUT is all or nothing). Returns what was removed, relative to the root.
   */
  sweepTemporaries(cutoffMs: number): Promise<string[]>;
  /** The store of the keys under `prefix` (e.g. `store/`, `checkpoints/`, `hub/`). */
  sub(prefix: string): ObjectStore;
}
