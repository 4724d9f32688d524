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
