#!/usr/bin/env node
/**
 * The import graph holds its shape (part of `npm run lint`): no module imports itself through
 * others (no cycle among the project's .ts files, type imports included), and the top-level
 * folders form layers: no two folders import each other, directly or around a loop.
 * Imports are read with TypeScript's own pre-processor; tests are left out (they may import
 * anything). Prints each cycle found and exits 1; about half a second.
 */
const { readFileSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const ts = require('typescript');

const root = path.join(__dirname, '..');

/** Folder loops tolerated while being removed (each the sorted folders of one loop): none. */
const KNOWN_FOLDER_LOOPS = [];

function sourceFiles() {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], { cwd: root, encoding: 'utf8' });
  return listed.split('\n').filter((f) => f && !f.endsWith('.d.ts') && !f.startsWith('test/') && f.includes('/'));
}

/** file → the project files it imports (relative specifiers resolved to .ts or /index.ts). */
function importGraph(files) {
  const known = new Set(files);
  const graph = new Map();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(path.join(root, file), 'utf8'), true, true);
    const deps = new Set();
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName));
      const target = [`${base}.ts`, `${base}/index.ts`].find((c) => known.has(c));
      if (target && target !== file) deps.add(target);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** Strongly connected components with more than one node (Tarjan), each sorted. */
function loops(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** One cycle through `scc`, as a path a → b → … → a (breadth-first from its first node). */
function cycleIn(graph, scc) {
  const inside = new Set(scc);
  const start = scc[0];
  const from = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const trail = [start];
        for (let u = v; u !== start; u = from.get(u)) trail.splice(1, 0, u);
        return [...trail, start].join(' → ');
      }
      if (!from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  return scc.join(', ');
}

function folderGraph(graph) {
  const folders = new Map();
  for (const [file, deps] of graph) {
    const a = file.split('/')[0];
    if (!folders.has(a)) folders.set(a, new Set());
    for (const d of deps) {
      const b = d.split('/')[0];
      if (a !== b) folders.get(a).add(b);
    }
  }
  return folders;
}

function main() {
  const graph = importGraph(sourceFiles());
  const problems = [];
  for (const scc of loops(graph)) problems.push(`import cycle: ${cycleIn(graph, scc)}`);
  const folders = folderGraph(graph);
  for (const scc of loops(folders)) {
    if (KNOWN_FOLDER_LOOPS.some((k) => k.join() === scc.join())) continue;
    const edges = scc.flatMap((a) =>
      scc
        .filter((b) => folders.get(a).has(b))
        .map((b) => {
          const via = [...graph].find(([f, ds]) => f.startsWith(`${a}/`) && [...ds].some((d) => d.startsWith(`${b}/`)));
          return `${a}/ → ${b}/ (e.g. ${via?.[0]})`;
        }),
    );
    problems.push(`folders importing each other: ${cycleIn(folders, scc).replace(/(\w[\w-]*)/g, '$1/')}\n  ${edges.join('\n  ')}`);
  }
  if (problems.length) {
    process.stderr.write(`${problems.join('\n')}\n`);
    process.exit(1);
  }
  process.stderr.write(`check-imports: ${graph.size} modules, no import cycle, folders layered\n`);
}

module.exports = { importGraph, loops };

if (require.main === module) main();
