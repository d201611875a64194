#!/usr/bin/env python3
"""Loads exports into the official DARTS code itself (cnn/model.py from github.com/quark0/darts)
with load_state_dict(strict=True) and compares its evaluation logits with test/fixtures/export.json
(which scripts/fixtures/export_ref.py computed with its own rewrite of the module tree).

    npx tsx test/support/writeExportModels.ts /tmp/ex     # cifar.safetensors, cifar.genotype.txt, ...
    /usr/bin/python3 scripts/pytorch/check_official.py --darts ~/darts/cnn /tmp/ex

Each export is read as <dir>/<case>.safetensors and <dir>/<case>.genotype.txt.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(os.path.dirname(os.path.dirname(HERE)), "test", "fixtures", "export.json")


def main():
    p = argparse.ArgumentParser("check_official")
    p.add_argument("--darts", required=True, help="the official code's cnn/ folder")
    p.add_argument("dir", help="the folder writeExportModels.ts wrote")
    args = p.parse_args()
    sys.path.insert(0, os.path.abspath(args.darts))
    sys.path.insert(0, HERE)
    import genotypes
    import model as darts_model
    from darts_export import read_safetensors

    fixture = json.load(open(FIXTURE))
    worst = 0.0
    for case in fixture["cases"]:
        with open(os.path.join(args.dir, case["name"] + ".safetensors"), "rb") as f:
            metadata, tensors = read_safetensors(f.read())
        scope = {"Genotype": genotypes.Genotype}
        exec(open(os.path.join(args.dir, case["name"] + ".genotype.txt")).read(), scope)
        a = json.loads(metadata["darts.args"])
        net = getattr(darts_model, metadata["darts.network"])(a["C"], a["num_classes"], a["layers"], a["auxiliary"],
                                                              scope["genotype"])
        net.load_state_dict(tensors, strict=True)
        net.drop_path_prob = 0.0
        net.double().eval()
        n, c, h, w = case["images"]
        i = np.indices((n, c, h, w))
        x = torch.from_numpy((((7 * i[0] + 13 * i[1] + 3 * i[2] + 5 * i[3]) % 17) / 8.0 - 1.0).astype(np.float64))
        with torch.no_grad():
            logits, _ = net(x)
        diff = (logits - torch.tensor(case["logits"], dtype=torch.float64)).abs().max().item()
        worst = max(worst, diff)
        print("%-9s %s: strict load ok, %d keys, max |logit - fixture| = %.2e" % (case["name"], metadata["darts.network"],
                                                                                  len(tensors), diff))
    if worst > 1e-6:
        raise SystemExit("the official network disagrees with the fixture")


if __name__ == "__main__":
    main()
