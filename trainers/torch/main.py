#!/usr/bin/env python3
"""mselect's reference PyTorch trainer: speaks the external-trainer protocol
(docs/external-trainer.md, docs/pytorch.md).

The job is one JSON object on stdin (or in MSELECT_JOB, or a file given with --job). Its
`job` field picks what to do:
  fineTune (default)  fine-tune epochs fromEpoch+1..toEpoch, one JSON line per epoch, then {"test": ...}
  features            penultimate features + source probabilities of chosen rows, to a features file
  pretrain            pre-train a plain torch.nn architecture (the PyTorch demo hub)
stdout carries only protocol lines; logs go to stderr. Uses CUDA when available, else CPU
(MSELECT_TORCH_DEVICE=cpu|cuda forces one; MSELECT_TORCH_THREADS sets CPU threads, default 1).
On SIGTERM it stops between batches, after the last checkpoint is complete, and exits 143.
"""
import argparse
import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from protocol import EXIT_TERMINATED, TrainerError, log, report  # noqa: E402

_stop = {"flag": False}


def _on_term(signum, frame):  # noqa: ARG001
    _stop["flag"] = True


def _term_when_parent_dies():
    """On Linux, get SIGTERM when the worker that started us dies (e.g. SIGKILLed), so an
    orphan stops after its current batch instead of training on."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def read_job(args):
    if args.job:
        with open(args.job, encoding="utf-8") as f:
            return json.load(f)
    text = sys.stdin.read() if not sys.stdin.isatty() else ""
    if not text.strip():
        text = os.environ.get("MSELECT_JOB", "")
    if not text.strip():
        raise TrainerError("InvalidInput", "no job: give one JSON object on stdin, in MSELECT_JOB or with --job FILE")
    try:
        return json.loads(text)
    except ValueError as e:
        raise TrainerError("InvalidInput", f"the job is not valid JSON: {e}") from None


def main(argv=None):
    parser = argparse.ArgumentParser(prog="trainers/torch/main.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--job", help="read the job from this JSON file instead of stdin")
    parser.add_argument("--probe", action="store_true", help="print the torch version and device as one JSON line and exit")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _on_term)
    _term_when_parent_dies()
    try:
        import torch  # noqa: F401

        import device

        dev, backend = device.setup()
        if args.probe:
            print(json.dumps({"torch": torch.__version__, "backend": backend}), flush=True)
            return 0
        job = read_job(args)
        kind = job.get("job", "fineTune")
        if kind == "fineTune":
            import finetune as runner
        elif kind == "features":
            import features as runner
        elif kind == "pretrain":
            import pretrain as runner
        else:
            raise TrainerError("InvalidInput", f"unknown job {kind!r} (fineTune, features or pretrain)")
        log(f"mselect torch trainer: {kind} on {backend}")
        try:
            runner.run(job, dev, backend, lambda: _stop["flag"])
        except Exception as e:  # noqa: BLE001
            if type(e).__name__ == "Terminated":
                log("SIGTERM: stopped after the last complete checkpoint")
                return EXIT_TERMINATED
            raise
        return 0
    except TrainerError as e:
        return report(e)
    except Exception as e:  # noqa: BLE001
        import traceback

        traceback.print_exc(file=sys.stderr)
        return report(e)


if __name__ == "__main__":
    sys.exit(main())
