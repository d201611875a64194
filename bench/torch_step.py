#!/usr/bin/python3
"""The reference rows of `npm run bench`: the same training steps in PyTorch on the CPU.

The networks are the PyTorch references the parity tests use (scripts/fixtures/darts_ref.py,
architect_ref.py, eval_network_ref.py, cdarts_ref.py; CDARTS's two networks are stacked from them in
bench/torch_cdarts.py), in float32, on random images of the configuration's shape:

* weight:  CE on the train batch, backward to the weights only, clip to the global norm, SGD
           (momentum, weight decay), as src/nas/darts/searchStep.ts weightStep.
* alpha1:  the alpha gradient of L_val(w, alpha) (weights not differentiated), one Adam step.
* alpha2:  the unrolled alpha gradient of the official cnn/architect.py (architect_ref.unrolled),
           one Adam step.
* cdarts:  one CDARTS joint step (NNI's CdartsTrainer._joint_train, src/nas/cdarts/cdartsStep.ts
           jointStep) on a search network and an evaluation network sharing stem, distillation heads
           and ensemble weight (bench/torch_cdarts.py): both networks' CE on the validation batch with
           the KL distillation of their ensemble logits and the alphas' L1 penalty, SGD on the
           evaluation network and Adam on the alphas; then the search network's CE on the train batch,
           SGD. The cell's note gives both networks' parameter counts (structure check).
* retrain: cnn/train.py's iteration on the DARTS evaluation network (drop path, auxiliary head
           when the configuration has one, clip, SGD).

Each cell: one untimed warm-up step, then up to --steps timed steps (fewer once --soft-budget-ms
is spent). Events are printed as `BENCH <json>` lines, in the format of bench/benchTypes.ts.

Usage: python3 bench/torch_step.py --spec '<json from bench/torch.ts>' --cells small:weight:reference,...
"""

import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts", "fixtures"))

import architect_ref  # noqa: E402
import darts_ref  # noqa: E402
import eval_network_ref as enr  # noqa: E402  (its import of make_fixtures sets float64)
import torch_cdarts  # noqa: E402

torch.set_default_dtype(torch.float32)

BACKEND = "torch-cpu"


def emit(event):
    print("BENCH " + json.dumps(event), flush=True)


def images(image, batch):
    x = torch.randn(batch, image["channels"], image["size"], image["size"])
    y = torch.randint(0, image["numClasses"], (batch,))
    return x, y


def adam_for(alphas, search):
    return torch.optim.Adam(alphas, lr=search["alphaLr"], betas=(search["alphaBeta1"], search["alphaBeta2"]),
                            weight_decay=search["alphaWeightDecay"])


def search_runner(spec, workload):
    search, image = spec["search"], spec["image"]
    if list(search["primitives"]) != darts_ref.PRIMITIVES:
        raise ValueError("the PyTorch reference supports the DARTS primitives only")
    model = darts_ref.SearchNetwork(search["channels"], image["numClasses"], search["layers"], search["nodes"],
                                    search["multiplier"], search["stemMultiplier"], image["channels"])
    model.train()
    n_edges = sum(2 + i for i in range(search["nodes"]))
    alphas = [(1e-3 * torch.randn(n_edges, len(darts_ref.PRIMITIVES))).requires_grad_(True) for _ in range(2)]
    weights = [p for p, _ in model.export().values()]
    x_trn, y_trn = images(image, search["batchSize"])
    x_val, y_val = images(image, search["batchSize"])
    lr = search["weightLr"]

    if workload == "weight":
        sgd = torch.optim.SGD(weights, lr, momentum=search["momentum"], weight_decay=search["weightDecay"])
        fixed = [a.detach() for a in alphas]

        def step():
            sgd.zero_grad()
            loss = model.loss(x_trn, y_trn, *fixed)
            loss.backward()
            nn.utils.clip_grad_norm_(weights, search["gradClip"])
            sgd.step()
            return float(loss)
        return step, search["batchSize"]

    adam = adam_for(alphas, search)

    def alpha_step():
        if workload == "alpha1":
            grads, loss = architect_ref.first_order(model, alphas, x_val, y_val)
        else:
            out = architect_ref.unrolled(model, alphas, x_trn, y_trn, x_val, y_val, lr, search["momentum"],
                                         search["weightDecay"])
            grads, loss = out["gradAlphas"], out["lossValUnrolled"]
        for a, g in zip(alphas, grads):
            a.grad = g
        adam.step()
        return float(loss)
    return alpha_step, search["batchSize"]


def retrain_runner(spec):
    retrain, image, g = spec["retrain"], spec["image"], spec["genotype"]
    genotype = enr.genotype(g["normal"], g["normalConcat"], g["reduce"], g["reduceConcat"])
    model = enr.EvalNetwork(genotype, retrain["channels"], image["numClasses"], retrain["layers"],
                            retrain["auxiliary"], retrain["stem"], image["channels"])
    model.train()
    sgd = torch.optim.SGD(model.parameters(), retrain["lr"], momentum=retrain["momentum"],
                          weight_decay=retrain["weightDecay"])
    x, y = images(image, retrain["batchSize"])

    def step():
        sgd.zero_grad()
        logits, logits_aux = model(x, retrain["dropPathProb"], enr.MaskRecorder())
        loss = F.cross_entropy(logits, y)
        if logits_aux is not None:
            loss = loss + retrain["auxWeight"] * F.cross_entropy(logits_aux, y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), retrain["gradClip"])
        sgd.step()
        return float(loss)
    return step, retrain["batchSize"]


def cdarts_runner(spec):
    cd, image = spec["cdarts"], spec["image"]
    pair = torch_cdarts.CdartsPair(cd, image, spec["cdartsGenotype"])
    trn, val = images(image, cd["batchSize"]), images(image, cd["batchSize"])
    # reg_decay of the first cycle (its largest), as bench/workloads.ts takes it.
    reg_decay = torch_cdarts.regularization_decay(cd, cd["warmupEpochs"])

    def step():
        return float(pair.joint_step(trn, val, reg_decay))
    note = "parameters: search network %d, evaluation network %d" % tuple(pair.parameter_counts())
    return step, cd["batchSize"], note


def timed(step):
    t0 = time.perf_counter()
    step()
    return (time.perf_counter() - t0) * 1000.0


def measure(spec, workload, steps, soft_budget_ms):
    t0 = time.perf_counter()
    note = None
    if workload == "cdarts":
        step, images_per_step, note = cdarts_runner(spec)
    elif workload == "retrain":
        step, images_per_step = retrain_runner(spec)
    else:
        step, images_per_step = search_runner(spec, workload)
    setup_ms = (time.perf_counter() - t0) * 1000.0
    warmup_ms = timed(step)
    step_ms = []
    while len(step_ms) < steps and (not step_ms or sum(step_ms) < soft_budget_ms):
        step_ms.append(timed(step))
    return {"stepMs": step_ms, "warmupMs": warmup_ms, "setupMs": setup_ms, "imagesPerStep": images_per_step,
            "kernelsPerStep": None, "gpuProgramsPerStep": None, "macsPerStep": None, "peakTensorBytes": None,
            "gpuPoolBytes": None, "tensorsAlive": None, "tensorGrowth": None}, note


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", required=True,
                        help="JSON: {configName: {search, retrain, genotype, cdarts, cdartsGenotype, image}}")
    parser.add_argument("--cells", required=True)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--soft-budget-ms", type=float, default=15000.0)
    args = parser.parse_args()
    specs = json.loads(args.spec)
    torch.manual_seed(0)
    emit({"type": "device", "backend": BACKEND,
          "description": "PyTorch %s on the CPU, %d thread(s)" % (torch.__version__, torch.get_num_threads())})
    for item in args.cells.split(","):
        config, workload, implementation = item.split(":")
        cell = {"config": config, "workload": workload, "implementation": implementation}
        emit({"type": "start", "backend": BACKEND, "cell": cell})
        result = dict(cell, backend=BACKEND)
        try:
            measurement, note = measure(specs[config], workload, args.steps, args.soft_budget_ms)
            result.update(status="ok", measurement=measurement)
            if note:
                result["note"] = note
        except Exception as e:  # reported as the cell's failure, the next cells still run
            result.update(status="failed", note="%s: %s" % (type(e).__name__, e))
        emit({"type": "result", "result": result})
    emit({"type": "done", "backend": BACKEND})


if __name__ == "__main__":
    main()
