import { ApplicationFailure } from '@temporalio/common';
import { BACKEND_ORDER, pickBackend, probeBackends } from '../../training/backend';

describe('pickBackend', () => {
  it('picks the first backend of the order that loads, and reports why the others did not', async () => {
    const probe = await probeBackends();
    expect(probe.map((p) => p.name)).toEqual([...BACKEND_ORDER]);
    const first = probe.find((p) => p.available);
    const picked = await pickBackend({ env: {} });
    expect(picked.name).toBe(first?.name);
    for (const p of probe) {
      if (p.available) expect(p.reason).toBeNull();
      else expect(p.reason).toMatch(/not installed|failed to load|did not initialise/);
    }
    // wasm and cpu ship with the project, so something always loads.
    expect(probe.filter((p) => p.name === 'wasm' || p.name === 'cpu').every((p) => p.available)).toBe(true);
  });

  it('honours MSELECT_TF_BACKEND and an explicit preference over it', async () => {
    expect((await pickBackend({ env: { MSELECT_TF_BACKEND: 'cpu' } })).name).toBe('cpu');
    expect((await pickBackend({ prefer: 'wasm', env: { MSELECT_TF_BACKEND: 'cpu' } })).name).toBe('wasm');
    const b = await pickBackend({ prefer: 'cpu' });
    expect(b.tf.getBackend()).toBe('cpu');
    expect(b.engineName).toBe('cpu');
  });

  it('rejects an unknown backend name', async () => {
    const err: unknown = await pickBackend({ prefer: 'tpu' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('InvalidInput');
    expect((err as ApplicationFailure).message).toMatch(/Backend "tpu" is unknown; use one of tensorflow-gpu, tensorflow, wasm, cpu/);
  });

  it('fails instead of falling back when a pinned backend cannot load', async () => {
    const native = (await probeBackends()).find((p) => p.name === 'tensorflow');
    if (native?.available) return; // only meaningful where @tensorflow/tfjs-node is absent
    const err: unknown = await pickBackend({ prefer: 'tensorflow' }).catch((e: unknown) => e);
    expect((err as ApplicationFailure).type).toBe('TrainerFailed');
    expect((err as ApplicationFailure).message).toMatch(/Backend tensorflow was requested but is unavailable: @tensorflow\/tfjs-node is not installed/);
  });
});
