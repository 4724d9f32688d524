"""Hub entries in PyTorch form and the network that fine-tunes them.

A hub entry is a directory with `card.json` (the mselect model card) and either
  * a TorchScript file (`model.pt`, or `card.torch.file`), loaded with torch.jit.load; or
  * a state_dict (`weights.pt`, or `card.torch.file`) plus `card.torch.architecture`, a
    list of plain torch.nn layers `[name, "Linear", {"in_features": 196, ...}]` that
    make an nn.Sequential (see docs/pytorch.md).
The last nn.Linear (with anything after it, e.g. a Softmax) is the source head; what
comes before it is the feature extractor. Fine-tuning keeps the extractor and puts a
fresh head for the target's outputs on the features.
"""
import collections
import json
import os

import torch
from torch import nn

from protocol import TrainerError


def read_card(model_dir):
    path = os.path.join(model_dir, "card.json")
    if not os.path.isdir(model_dir):
        raise TrainerError("ModelNotFound", f"Model directory {model_dir} does not exist")
    try:
        with open(path, encoding="utf-8") as f:
            card = json.load(f)
    except FileNotFoundError:
        raise TrainerError("InvalidModel", f"{path} is missing") from None
    except ValueError as e:
        raise TrainerError("InvalidModel", f"{path} is not valid JSON: {e}") from None
    if not isinstance(card, dict):
        raise TrainerError("InvalidModel", f"{path} must hold a JSON object")
    return card


def build_sequential(layers, where):
    """nn.Sequential from `[[name, "TorchNnClass", {kwargs}], ...]`; unknown classes fail naming `where`."""
    if not isinstance(layers, list) or not layers:
        raise TrainerError("InvalidModel", f"{where}: torch.architecture.layers must be a non-empty list of [name, layer, {{kwargs}}]")
    modules = collections.OrderedDict()
    for i, spec in enumerate(layers):
        if not (isinstance(spec, list) and len(spec) in (2, 3) and isinstance(spec[0], str) and isinstance(spec[1], str)):
            raise TrainerError("InvalidModel", f"{where}: torch.architecture.layers[{i}] must be [name, layer, {{kwargs}}]")
        name, kind = spec[0], spec[1]
        kwargs = spec[2] if len(spec) == 3 else {}
        cls = getattr(nn, kind, None)
        if not (isinstance(cls, type) and issubclass(cls, nn.Module)) or kind.startswith("_"):
            raise TrainerError("InvalidModel", f"{where}: torch.architecture.layers[{i}] names unknown architecture layer {kind!r} (not a torch.nn module)")
        try:
            modules[name] = cls(**kwargs)
        except (TypeError, ValueError) as e:
            raise TrainerError("InvalidModel", f"{where}: torch.architecture.layers[{i}] {kind}({kwargs}): {e}") from None
    return nn.Sequential(modules)


class HubNet(nn.Module):
    """A hub model split into feature extractor and source head."""

    def __init__(self, body, source_head, softmax_output):
        super().__init__()
        self.body = body
        self.source_head = source_head
        self.softmax_output = softmax_output

    def features(self, x):
        return self.body(x)

    def source_probs(self, x):
        out = self.source_head(self.body(x))
        return out if self.softmax_output else torch.softmax(out, dim=1)


def split_head(seq, where):
    """(body, head) of a sequential-like module: the head starts at its last nn.Linear."""
    children = list(seq.named_children())
    last = max((i for i, (_, m) in enumerate(children) if isinstance(m, nn.Linear) or getattr(m, "original_name", "") == "Linear"), default=None)
    if last is None or last == 0:
        raise TrainerError("InvalidModel", f"{where}: the model needs layers before a final nn.Linear source head")
    body = nn.Sequential(collections.OrderedDict(children[:last]))
    head = nn.Sequential(collections.OrderedDict(children[last:]))
    return body, head


def load_hub_net(model_dir):
    """(card, HubNet) of the hub entry in `model_dir`. Fails with ModelNotFound or InvalidModel naming the file."""
    card = read_card(model_dir)
    spec = card.get("torch") or {}
    card_path = os.path.join(model_dir, "card.json")
    arch = spec.get("architecture")
    kind = spec.get("format") or ("state_dict" if arch is not None else "torchscript")
    default_file = "weights.pt" if kind == "state_dict" else "model.pt"
    path = os.path.join(model_dir, spec.get("file", default_file))
    if os.path.basename(path) != spec.get("file", default_file) or ".." in spec.get("file", default_file):
        raise TrainerError("InvalidModel", f"{card_path}: torch.file must be a plain file name")
    if kind == "state_dict":
        if arch is None:
            raise TrainerError("InvalidModel", f"{card_path}: a state_dict entry needs torch.architecture")
        seq = build_sequential(arch.get("layers") if isinstance(arch, dict) else None, card_path)
        if not os.path.isfile(path):
            raise TrainerError("InvalidModel", f"{path} is missing (state_dict named by {card_path})")
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            seq.load_state_dict(state)
        except Exception as e:  # noqa: BLE001 - any unreadable file is the entry's fault
            raise TrainerError("InvalidModel", f"{path} cannot be loaded: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    elif kind == "torchscript":
        if not os.path.isfile(path):
            raise TrainerError("InvalidModel", f"{path} is missing (TorchScript model of {card_path})")
        try:
            seq = torch.jit.load(path, map_location="cpu")
        except Exception as e:  # noqa: BLE001
            raise TrainerError("InvalidModel", f"{path} cannot be loaded: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    else:
        raise TrainerError("InvalidModel", f"{card_path}: torch.format is {kind!r}, expected \"state_dict\" or \"torchscript\"")
    body, head = split_head(seq, path)
    return card, HubNet(body, head, card.get("output", "softmax") == "softmax" and not _ends_in_linear(head))


def _ends_in_linear(head):
    last = list(head.children())[-1]
    return isinstance(last, nn.Linear) or getattr(last, "original_name", "") == "Linear"


def input_permute(card):
    """Per-sample axis order from the dataset's featureShape to the model's input (e.g. HWC→CHW)."""
    perm = (card.get("torch") or {}).get("inputPermute")
    return None if perm is None else [int(v) for v in perm]


def to_input(x, perm):
    """A float32 batch tensor in the model's layout."""
    t = torch.from_numpy(x)
    return t if perm is None else t.permute(0, *[p + 1 for p in perm]).contiguous()


class FineTuneNet(nn.Module):
    """The hub model's feature extractor with a fresh head of `outputs` units."""

    def __init__(self, hub, outputs, frozen, feature_size):
        super().__init__()
        self.body = hub.body
        self.head = nn.Linear(feature_size, outputs)
        for name, module in self.body.named_children():
            if name in frozen:
                for p in module.parameters():
                    p.requires_grad_(False)

    def forward(self, x):
        return self.head(self.body(x))


def feature_size(hub, sample):
    with torch.no_grad():
        out = hub.features(sample[:1])
    if out.dim() != 2:
        raise TrainerError("InvalidModel", f"the feature layer must output [batch, width], got {list(out.shape)}")
    return int(out.shape[1])
