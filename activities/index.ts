import { createPlumbingActivities } from './plumbing';

/**
 * Activities by worker: the orchestrator worker runs light CPU activities on the
 * `mselect` queue; the GPU worker runs fine-tunes and proxy scores on `mselect-gpu`.
 */
export function createGpuActivities() {
  return { ...createPlumbingActivities() };
}

export function createOrchestratorActivities() {
  return {};
}

export type GpuActivities = ReturnType<typeof createGpuActivities>;
export type OrchestratorActivities = ReturnType<typeof createOrchestratorActivities>;
export type Activities = GpuActivities & OrchestratorActivities;
