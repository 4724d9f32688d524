"""The stdout side of the mselect external-trainer protocol (docs/external-trainer.md).

stdout carries only protocol lines, one JSON object each; everything else goes to stderr.
A failure the trainer understands is reported as an `error` line naming its type and the
file at fault, then the process exits with EXIT_REPORTED, so mselect raises a typed,
non-retryable failure instead of retrying.
"""
import json
import sys

EXIT_REPORTED = 3
EXIT_TERMINATED = 143

#: Error types mselect accepts in an `error` line (contracts/errors.ts).
ERROR_TYPES = ("InvalidModel", "InvalidDataset", "ModelNotFound", "DatasetNotFound", "InvalidInput", "TrainingDiverged", "TrainerFailed")


class TrainerError(Exception):
    """A failure with an mselect error type; the message names the file at fault."""

    def __init__(self, error_type, message):
        assert error_type in ERROR_TYPES, error_type
        super().__init__(message)
        self.error_type = error_type


def emit(obj):
    """Print one protocol line and flush it at once."""
    sys.stdout.write(json.dumps(obj, allow_nan=False) + "\n")
    sys.stdout.flush()


def log(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def report(err):
    """Print the error line of `err` (a TrainerError or any exception) and return the exit code."""
    if isinstance(err, TrainerError):
        emit({"error": {"type": err.error_type, "message": str(err)[:4000]}})
    elif isinstance(err, ModuleNotFoundError) and err.name == "torch":
        emit({"error": {"type": "TrainerFailed", "message": f"{sys.executable} cannot import torch; install it with `apt-get install -y python3-torch` (Debian) or point MSELECT_PYTHON at an interpreter that has it"}})
    else:
        # Out of memory is worth another attempt (maybe on another worker); other surprises are not.
        transient = "out of memory" in str(err).lower()
        emit({"error": {"type": "TrainerFailed", "message": f"trainers/torch failed with {type(err).__name__}: {err}"[:4000], "retryable": transient}})
    return EXIT_REPORTED
