"""Read a NAS Lab export (model.safetensors + genotype.txt) into the official DARTS network, and
write a state_dict back as safetensors for `nas-lab import`. No dependency beyond PyTorch and
NumPy: the safetensors format is an 8-byte little-endian header length, a JSON header
({name: {dtype, shape, data_offsets}}, optional "__metadata__"), then the raw little-endian data.

    import sys; sys.path.insert(0, 'path/to/darts/cnn'); sys.path.insert(0, 'path/to/nas-lab/scripts/pytorch')
    from darts_export import load_export
    model, info = load_export('nas-lab-export-folder-or.zip')   # load_state_dict(strict=True) inside

The official code (github.com/quark0/darts, cnn/model.py and cnn/genotypes.py) must be importable:
put its cnn/ folder on sys.path first. See docs/PYTORCH.md.
"""

import json
import os
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import torch

_DTYPES = {"F32": ("<f4", torch.float32), "F64": ("<f8", torch.float64), "I64": ("<i8", torch.int64)}
_NAMES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}


def read_safetensors(raw):
    """(metadata, OrderedDict of tensors) from the bytes of a .safetensors file."""
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"), object_pairs_hook=OrderedDict)
    metadata = header.pop("__metadata__", {})
    tensors = OrderedDict()
    for key, e in header.items():
        np_dtype, torch_dtype = _DTYPES[e["dtype"]]
        begin, end = e["data_offsets"]
        values = np.frombuffer(raw[8 + n + begin:8 + n + end], dtype=np_dtype).reshape(e["shape"])
        tensors[key] = torch.from_numpy(values.copy()).to(torch_dtype)
    return metadata, tensors


def write_safetensors(path, state_dict, metadata=None):
    """Writes a state_dict (float32 / float64 / int64 tensors) as .safetensors, keys in its order."""
    header, chunks, offset = OrderedDict(), [], 0
    if metadata:
        header["__metadata__"] = dict(metadata)
    for key, t in state_dict.items():
        t = t.detach().cpu().contiguous()
        data = t.numpy().astype(_DTYPES[_NAMES[t.dtype]][0]).tobytes()
        header[key] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape),
                       "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    os.replace(tmp, path)


def read_export(path):
    """(metadata, tensors, genotype text) of an export folder or zip."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            raw, genotype = z.read("model.safetensors"), z.read("genotype.txt").decode("utf-8")
    else:
        with open(os.path.join(path, "model.safetensors"), "rb") as f:
            raw = f.read()
        with open(os.path.join(path, "genotype.txt")) as f:
            genotype = f.read()
    metadata, tensors = read_safetensors(raw)
    return metadata, tensors, genotype


def load_export(path):
    """The official network with the export's weights (strict load), and what the export says of it."""
    import genotypes  # noqa: F401  (DARTS cnn/genotypes.py: Genotype)
    import model as darts_model  # DARTS cnn/model.py

    metadata, tensors, genotype_text = read_export(path)
    scope = {"Genotype": genotypes.Genotype}
    exec(genotype_text, scope)  # genotype.txt is `genotype = Genotype(...)`
    args = json.loads(metadata["darts.args"])
    network = getattr(darts_model, metadata.get("darts.network", "NetworkCIFAR"))
    model = network(args["C"], args["num_classes"], args["layers"], args["auxiliary"], scope["genotype"])
    model.load_state_dict(tensors, strict=True)
    model.drop_path_prob = 0.0
    info = {"args": args, "genotype": scope["genotype"], "genotype_text": genotype_text,
            "network": network.__name__,
            "trained_model": json.loads(metadata["nas_lab.trained_model"]) if "nas_lab.trained_model" in metadata else None}
    return model, info

