"""Device choice and the determinism settings every job runs under."""
import os

import torch


def setup():
    """Pick CUDA when available, else CPU, with deterministic kernels. Returns (device, backend name)."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    torch.set_num_threads(max(1, int(os.environ.get("MSELECT_TORCH_THREADS", "1"))))
    want = os.environ.get("MSELECT_TORCH_DEVICE", "auto")
    if want == "cuda" or (want == "auto" and torch.cuda.is_available()):
        return torch.device("cuda"), "torch-cuda"
    return torch.device("cpu"), "torch-cpu"


def mix_seed(seed, salt):
    """A 63-bit seed from (seed, salt), the same on every machine."""
    return (int(seed) * 1_000_003 + int(salt) * 7_919 + 12_345) % (2**63 - 1)


def reset_peak_memory(device):
    """Start measuring the peak memory of the next epoch (CUDA keeps a resettable high-water mark)."""
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def peak_memory_bytes(device):
    """Peak memory since `reset_peak_memory`: tensors allocated on the GPU (torch.cuda.max_memory_allocated)
    on CUDA; on CPU the process's peak resident size (ru_maxrss: the whole run's high-water mark, not
    resettable per epoch). None where neither can be read."""
    if device.type == "cuda":
        return int(torch.cuda.max_memory_allocated(device))
    try:
        import resource
        import sys
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(rss if sys.platform == "darwin" else rss * 1024)  # bytes on macOS, KiB on Linux
    except (ImportError, OSError):
        return None
