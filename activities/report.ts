import { selectDatasets, selectModels } from '../algorithms/matrix';
import type { SelectModelResult } from '../contracts/schemas';
import type { MatrixStore } from '../matrix-store';
import { reportHtml } from '../report/plot-html';
import { selectionReport } from '../report/selection-report';
import { clusteringForMatrix } from './selection';

/** Where finished reports go (a folder, or the object store): the worker builds it. */
export interface ReportSink {
  /** Store `html` under `name` atomically (readers see the old page or the new one, never a torn one); returns where it is. */
  write(name: string, html: string): Promise<string>;
}

export interface ReportDeps {
  readonly store: MatrixStore;
  readonly reports: ReportSink;
  /** The Temporal web UI's address, for the report's link to its workflow (absent: no link). */
  readonly uiUrl?: string | null;
}

/** A file name from a workflow id: anything but letters, digits, `.`, `_`, `-` becomes `_`. */
export function reportFileName(workflowId: string): string {
  return `${workflowId.replace(/[^A-Za-z0-9._-]/g, '_')}.html`;
}

/** Report activities (orchestrator queue). */
export function createReportActivities(deps: ReportDeps) {
  return {
    /**
     * Write the HTML report of a finished selection to the report sink (atomically), one
     * self-contained file (plotly inlined, at most about 2 MB), and return where it is (a
     * file path, or an object-store URL).
     * Idempotent: the same result writes the same page.
     */
    async writeSelectionReport(input: { workflowId: string; result: SelectModelResult }): Promise<{ path: string }> {
      const r = input.result;
      const snap = await deps.store.snapshot(r.storeVersion);
      const all = await snap.performanceMatrix();
      const full = selectDatasets(all, (d) => d !== r.target);
      const pool = new Set(Object.keys(r.recallScores).length ? Object.keys(r.recallScores) : full.models);
      for (const m of r.candidates) pool.add(m);
      const history = selectModels(full, (m) => pool.has(m));
      const stored = (await snap.clusterings()).at(-1)?.clustering ?? null;
      const clustering = history.models.length > 1 ? clusteringForMatrix(stored, all.datasets.includes(r.target), history) : null;
      const path = await deps.reports.write(reportFileName(input.workflowId), reportHtml(selectionReport(r, history, clustering, deps.uiUrl)));
      return { path };
    },
  };
}
