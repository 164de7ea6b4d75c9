import { close, fdatasync, fsync, open, openSync, closeSync, fsyncSync, unlink, write, writeSync } from 'node:fs';

/**
 * The asynchronous file operations of a running spool, behind an interface so tests can hold an fsync back and
 * check that nothing is reported durable before it completes.
 */
export interface JournalIo {
  /** Creates `path` for appending (it must not exist); resolves with its descriptor. */
  create(path: string): Promise<number>;
  /** Appends all of `data`. */
  append(fd: number, data: Buffer): Promise<void>;
  /**
   * `fdatasync`: the data and the file size (all a reader needs) are on stable storage. The metadata it skips
   * (modification time) is not needed to read the journal back.
   */
  datasync(fd: number): Promise<void>;
  close(fd: number): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Makes a directory's entries (a created or removed file) durable. A no-op where directories cannot be synced. */
  syncDir(dir: string): Promise<void>;
}

const callback =
  (resolve: () => void, reject: (error: Error) => void) =>
  (error: Error | null): void =>
    error === null ? resolve() : reject(error);

export const nodeJournalIo: JournalIo = {
  create: (path) =>
    new Promise((resolve, reject) => open(path, 'ax', 0o600, (error, fd) => (error === null ? resolve(fd) : reject(error)))),
  append: async (fd, data) => {
    let offset = 0;
    // A regular file takes a whole write in one call in practice; the loop covers the short writes POSIX allows.
    while (offset < data.length) {
      offset += await new Promise<number>((resolve, reject) =>
        write(fd, data, offset, data.length - offset, null, (error, written) => (error === null ? resolve(written) : reject(error))),
      );
    }
  },
  datasync: (fd) => new Promise((resolve, reject) => fdatasync(fd, callback(resolve, reject))),
  close: (fd) => new Promise((resolve, reject) => close(fd, callback(resolve, reject))),
  unlink: (path) => new Promise((resolve, reject) => unlink(path, callback(resolve, reject))),
  syncDir: (dir) =>
    new Promise((resolve, reject) => {
      open(dir, 'r', (openError, fd) => {
        if (openError !== null) return resolve(); // Windows cannot open a directory (see syncDirSync)
        fsync(fd, (syncError) =>
          close(fd, () => {
            // A real I/O error means the new segment's name may not be durable: the caller must then keep the old
            // segment (the spool fails and both segments stay for recovery to merge) rather than delete it.
            if (syncError !== null && !DIRECTORY_FSYNC_UNSUPPORTED.has(syncError.code ?? '')) reject(syncError);
            else resolve();
          }),
        );
      });
    }),
};

/** What file systems that cannot fsync a directory answer; ordering there is theirs, and nothing more can be done. */
const DIRECTORY_FSYNC_UNSUPPORTED: ReadonlySet<string> = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EISDIR', 'EPERM', 'EBADF']);

/** Writes all of `data` and fsyncs it, synchronously (for opening a spool, in the client's constructor). */
export function writeDurablySync(fd: number, data: Buffer): void {
  for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset);
  fsyncSync(fd);
}

/** The synchronous counterpart of `syncDir`, for opening the spool in the client's constructor. */
export function syncDirSync(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return; // Windows cannot open a directory; its file system orders the metadata itself.
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    // Some file systems refuse fsync on a directory; nothing more can be done there. Anything else is an I/O error.
    if (!DIRECTORY_FSYNC_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    closeSync(fd);
  }
}
