import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A stand-in `go` in `dir` for `go install -x <pkg>@<version>`: prints `downloads` lines
 * `go: downloading …` and `packages` build folders to stderr as Go does, sleeps `seconds`, then
 * writes an executable named after the package into $GOBIN and records each call in `<dir>/calls`.
 */
export function fakeGo(dir: string, o: { downloads: number; packages: number; seconds: number }): string {
  mkdirSync(dir, { recursive: true });
  const go = join(dir, 'go');
  writeFileSync(
    go,
    [
      '#!/bin/sh',
      `echo "$@" >> ${join(dir, 'calls')}`,
      'pkg=$3; name=${pkg%@*}; name=${name##*/}',
      `i=0; while [ $i -lt ${o.downloads} ]; do echo "go: downloading example.com/m$i v1.0.$i" >&2; i=$((i+1)); done`,
      'echo "WORK=/tmp/go-build1" >&2',
      `i=1; while [ $i -lt ${o.packages} ]; do echo "mkdir -p \\$WORK/b$i/" >&2; i=$((i+1)); done`,
      `/bin/sleep ${o.seconds}`,
      '/bin/mkdir -p "$GOBIN" && printf "#!/bin/sh\\necho built\\n" > "$GOBIN/$name" && /bin/chmod +x "$GOBIN/$name"',
      '',
    ].join('\n'),
  );
  chmodSync(go, 0o755);
  return go;
}
