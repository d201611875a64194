"""The PyTorch reference of CDARTS's joint step, for bench/torch_step.py's `cdarts` rows.

Both networks are stacked from the parity tests' reference modules (scripts/fixtures/darts_ref.py,
eval_network_ref.py, cdarts_ref.py), as src/nas/cdarts/network/ builds them from the semantics of NNI's
CDARTS example (`examples/nas/cdarts/model.py`) and Cream's `lib/models/cdarts_controller.py`; no code is
copied from either:

* the stem (3x3 conv to stemMultiplier*C, affine BN), the two distillation heads (DistillHeadCIFAR with
  affine-free BN, after the two reduction cells, the pool shrunk on small maps as distillHead.ts does)
  and the ensemble weight (3, U(0, 1)/3) are one set of modules for both networks under share_module;
* the search network: DARTS search cells (darts_ref.SearchCell) without BN after pooling, every edge
  into node i weighted by 1/(i + 2), the mixed-op weights the softmax of the alphas (no choice cut);
* the evaluation network: DARTS evaluation cells (eval_network_ref.EvalCell) of the given genotype with
  affine-free BN, no drop path;
* each network: cells, GAP, Linear; with the ensemble, cat(softmax(p)[k] * exit_k) over the two heads'
  logits and the final logits: [3N, classes].

The step is `CdartsTrainer._joint_train`'s (NNI `cdarts/trainer.py`), as src/nas/cdarts/cdartsStep.ts
jointStep takes it: (1) on the validation batch, (CE(search) + CE(eval)) / loss_alpha
+ distillation(search ensemble, eval ensemble) * T^2 * loss_alpha + reg_decay * L1 of the penalized
alphas; backward; clip the evaluation network's gradients; SGD on it (nasnet_lr), Adam on the alphas
(betas 0.5, 0.999). (2) on the train batch, CE of the search network; backward; clip; SGD (w_lr).
Gradients are taken w.r.t. what each step updates (torch.autograd.grad): the search network's own
weight gradients that NNI's step 1 computes and its `optimizer_small.zero_grad()` then discards are
not computed, by neither side. Parameters a loss does not reach get no gradient (None), so that SGD
skips them, as the TypeScript step does; fix_head freezes the heads.
"""

import os
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts", "fixtures"))

import cdarts_ref  # noqa: E402  (its import of make_fixtures sets float64: callers set the dtype back)
import darts_ref  # noqa: E402
import eval_network_ref as enr  # noqa: E402

# KLDivLoss's default reduction 'mean' is what NNI and Cream use (cdarts_ref.kl_loss): not a mistake here.
warnings.filterwarnings("ignore", message="reduction: 'mean' divides the total loss")


def distill_pool_window(size):
    """distillHead.ts distillPoolWindow: kernel min(6, s - 1), stride min(2, s - kernel)."""
    if size < 2:
        raise ValueError("a distillation head needs a map of at least 2x2, got %d" % size)
    kernel = min(6, size - 1)
    return kernel, min(2, size - kernel)


def strip_affine_(module):
    """Every BatchNorm of `module` affine-free (bn_affine=False during the CDARTS search)."""
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.affine = False
            m.weight = None
            m.bias = None
    return module


class SearchCell(darts_ref.SearchCell):
    """A DARTS search cell with CDARTS's pooling (no BN after it); takes the scaled mixture weights."""

    def __init__(self, *args):
        super().__init__(*args)
        for mixed in self.edges:
            for op in mixed.ops:
                if isinstance(op, darts_ref.PoolBN):
                    op.bn = nn.Identity()

    def forward(self, s0, s1, weights):
        states = [self.pre0(s0), self.pre1(s1)]
        offset = 0
        for _ in range(self.steps):
            s = sum(self.edges[offset + j](h, weights[offset + j]) for j, h in enumerate(states))
            offset += len(states)
            states.append(s)
        return torch.cat(states[-self.multiplier:], dim=1)


class EvalCell(enr.EvalCell):
    def __init__(self, *args):
        super().__init__(*args)
        strip_affine_(self)

    def forward(self, s0, s1):
        return super().forward(s0, s1, 0.0, None)


def edge_scales(steps):
    """1/(i + 2) for each edge into node i, as a column [edges, 1]."""
    return torch.tensor([[1.0 / (i + 2)] for i in range(steps) for _ in range(2 + i)])


class SharedModules(nn.Module):
    """Stem, the two distillation heads and the ensemble weight (`shared_modules`)."""

    def __init__(self, cd, image, head_channels):
        super().__init__()
        c_stem = cd["stemMultiplier"] * cd["channels"]
        self.stem = nn.Sequential(nn.Conv2d(image["channels"], c_stem, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(c_stem))
        sizes = (image["size"] // 2, image["size"] // 4)
        self.heads = nn.ModuleList(
            cdarts_ref.DistillHead(c, *distill_pool_window(s), cd["headWidths"], image["numClasses"])
            for c, s in zip(head_channels, sizes))
        self.ensemble = nn.Parameter(torch.rand(3) / 3)
        if cd["fixHead"]:
            self.heads.requires_grad_(False)

    def ensemble_logits(self, reduction_outputs, logits):
        exits = [head(x) for head, x in zip(self.heads, reduction_outputs)] + [logits]
        return cdarts_ref.ensemble(exits, self.ensemble)


class CdartsNetwork(nn.Module):
    """Stem, a stack of cells (reductions at L//3 and 2L//3), classifier; the ensemble on request."""

    def __init__(self, cd, image, layers, make_cell, shared=None):
        super().__init__()
        c = cd["channels"]
        c_pp = c_p = cd["stemMultiplier"] * c
        c_curr, reduction_prev = c, False
        self.cells = nn.ModuleList()
        head_channels = []
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c_curr *= 2
            cell, out_channels = make_cell(c_pp, c_p, c_curr, reduction, reduction_prev)
            self.cells.append(cell)
            if reduction:
                head_channels.append(out_channels)
            reduction_prev = reduction
            c_pp, c_p = c_p, out_channels
        self.shared = shared if shared is not None else SharedModules(cd, image, head_channels)
        self.classifier = nn.Linear(c_p, image["numClasses"])

    def body(self, x, with_ensemble, apply_cell):
        s0 = s1 = self.shared.stem(x)
        reduction_outputs = []
        for cell in self.cells:
            s0, s1 = s1, apply_cell(cell, s0, s1)
            if cell.reduction:
                reduction_outputs.append(s1)
        logits = self.classifier(F.adaptive_avg_pool2d(s1, 1).flatten(1))
        return logits, (self.shared.ensemble_logits(reduction_outputs, logits) if with_ensemble else None)


def search_network(cd, image, shared=None):
    def make_cell(c_pp, c_p, c, reduction, reduction_prev):
        cell = SearchCell(cd["nodes"], cd["multiplier"], c_pp, c_p, c, reduction, reduction_prev)
        return cell, cd["multiplier"] * c
    return CdartsNetwork(cd, image, cd["searchLayers"], make_cell, shared)


def eval_network(cd, image, genotype, shared):
    def make_cell(c_pp, c_p, c, reduction, reduction_prev):
        genes = genotype["reduce" if reduction else "normal"]
        concat = genotype["reduceConcat" if reduction else "normalConcat"]
        cell = EvalCell(genes, concat, c_pp, c_p, c, reduction, reduction_prev)
        return cell, cell.multiplier * c
    return CdartsNetwork(cd, image, cd["evalLayers"], make_cell, shared)


def penalty_mask(cd, reduction):
    """regularizedMutator.ts penaltyMask: the regularized ops' entries [edges, ops]."""
    rows = []
    for i in range(cd["nodes"]):
        for j in range(2 + i):
            stride = 2 if reduction and j < 2 else 1
            row = []
            for op in cd["primitives"]:
                if op in ("max_pool_3x3", "avg_pool_3x3"):
                    row.append(1.0)
                elif op == "skip_connect":
                    row.append(1.0 if cd["regularizedOps"] == "official" or stride == 1 else 0.0)
                elif op in ("dil_conv_3x3", "dil_conv_5x5"):
                    row.append(1.0 if cd["regularizedOps"] == "nni" else 0.0)
                else:
                    row.append(0.0)
            rows.append(row)
    return torch.tensor(rows)


class CdartsPair:
    """The two networks of one CDARTS search, their alphas and optimizers."""

    def __init__(self, cd, image, genotype):
        if list(cd["primitives"]) != darts_ref.PRIMITIVES:
            raise ValueError("the PyTorch reference supports the DARTS primitives only")
        self.cd = cd
        self.search = search_network(cd, image)
        self.eval = eval_network(cd, image, genotype, self.search.shared if cd["shareModule"] else None)
        self.search.train()
        self.eval.train()
        n_edges = sum(2 + i for i in range(cd["nodes"]))
        self.alphas = [(1e-3 * torch.randn(n_edges, len(cd["primitives"]))).requires_grad_() for _ in range(2)]
        self.masks = [penalty_mask(cd, False), penalty_mask(cd, True)]
        self.scales = edge_scales(cd["nodes"])
        self.search_weights = [p for p in self.search.parameters() if p.requires_grad]
        self.eval_weights = [p for p in self.eval.parameters() if p.requires_grad]
        sgd = dict(momentum=cd["momentum"], weight_decay=cd["weightDecay"])
        self.sgd_search = torch.optim.SGD(self.search_weights, cd["weightLr"], **sgd)
        self.sgd_eval = torch.optim.SGD(self.eval_weights, cd["nasnetLr"], **sgd)
        self.adam = torch.optim.Adam(self.alphas, cd["alphaLr"], betas=(cd["alphaBeta1"], cd["alphaBeta2"]),
                                     weight_decay=cd["alphaWeightDecay"])

    def parameter_counts(self):
        """Parameters of each network, the shared modules counted in both (frozen heads included)."""
        return [sum(p.numel() for p in net.parameters()) for net in (self.search, self.eval)]

    def search_forward(self, x, with_ensemble):
        normal, reduce = (F.softmax(a, dim=-1) * self.scales for a in self.alphas)
        return self.search.body(x, with_ensemble,
                                lambda cell, s0, s1: cell(s0, s1, reduce if cell.reduction else normal))

    def eval_forward(self, x, with_ensemble):
        return self.eval.body(x, with_ensemble, lambda cell, s0, s1: cell(s0, s1))

    def penalty(self):
        return sum((a.abs() * m).sum() for a, m in zip(self.alphas, self.masks))

    @staticmethod
    def clipped_step(loss, params, optimizer, clip, extra=()):
        grads = torch.autograd.grad(loss, list(params) + list(extra), allow_unused=True)
        for p, g in zip(list(params) + list(extra), grads):
            p.grad = g
        nn.utils.clip_grad_norm_([p for p in params if p.grad is not None], clip)
        optimizer.step()

    def joint_step(self, trn, val, reg_decay):
        """One joint step; returns the search network's CE on the train batch."""
        cd = self.cd
        x_val, y_val = val
        logits_s, ensemble_s = self.search_forward(x_val, True)
        logits_e, ensemble_e = self.eval_forward(x_val, True)
        loss_cls = (F.cross_entropy(logits_s, y_val) + F.cross_entropy(logits_e, y_val)) / cd["lossAlpha"]
        distill = cdarts_ref.LOSSES[cd["interactiveType"]](ensemble_s, ensemble_e, cd["lossT"]) * cd["lossAlpha"]
        loss = loss_cls + distill + reg_decay * self.penalty()
        self.clipped_step(loss, self.eval_weights, self.sgd_eval, cd["gradClip"], extra=self.alphas)
        self.adam.step()
        x_trn, y_trn = trn
        logits, _ = self.search_forward(x_trn, False)
        loss_w = F.cross_entropy(logits, y_trn)
        self.clipped_step(loss_w, self.search_weights, self.sgd_search, cd["gradClip"])
        return loss_w


def regularization_decay(cd, epoch):
    """cdartsConfig.ts regularizationDecay (NNI's reg_decay)."""
    cycles = cd["epochs"] - cd["warmupEpochs"]
    return max(cd["regularCoeff"] * (1 - (epoch - cd["warmupEpochs"]) / (cycles * cd["regularRatio"])), 0.0)
