import { join } from 'node:path';
import { selectDatasets, selectModels } from '../algorithms/matrix';
import type { SelectModelResult } from '../contracts/schemas';
import { toFailure, type MatrixStore } from '../matrix-store';
import { reportHtml, writePage } from '../report/plot-html';
import { selectionReport } from '../report/selection-report';
import { clusteringForMatrix } from './selection';

export interface ReportDeps {
  readonly store: MatrixStore;
  readonly reportDir: string;
}

/** A file name from a workflow id: anything but letters, digits, `.`, `_`, `-` becomes `_`. */
export function reportFileName(workflowId: string): string {
  return `${workflowId.replace(/[^A-Za-z0-9._-]/g, '_')}.html`;
}

/** Report activities (orchestrator queue). */
export function createReportActivities(deps: ReportDeps) {
  return {
    /**
     * Write the HTML report of a finished selection into the report folder (atomically, with
     * the folder's one plotly file beside it) and return its path. Idempotent: the same result
     * writes the same page.
     */
    async writeSelectionReport(input: { workflowId: string; result: SelectModelResult }): Promise<{ path: string }> {
      const r = input.result;
      try {
        const snap = await deps.store.snapshot(r.storeVersion);
        const all = await snap.performanceMatrix();
        const full = selectDatasets(all, (d) => d !== r.target);
        const pool = new Set(Object.keys(r.recallScores).length ? Object.keys(r.recallScores) : full.models);
        for (const m of r.candidates) pool.add(m);
        const history = selectModels(full, (m) => pool.has(m));
        const stored = (await snap.clusterings()).at(-1)?.clustering ?? null;
        const clustering = history.models.length > 1 ? clusteringForMatrix(stored, all.datasets.includes(r.target), history) : null;
        const path = join(deps.reportDir, reportFileName(input.workflowId));
        await writePage(path, reportHtml(selectionReport(r, history, clustering)));
        return { path };
      } catch (e) {
        throw toFailure(e);
      }
    },
  };
}
