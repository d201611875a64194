#!/usr/bin/env python3
"""Continue training a NAS Lab export in the official DARTS code, on one or many GPUs.

The training step is cnn/train.py's (SGD with momentum and weight decay, cosine learning rate
over --epochs, drop path rising linearly to --drop_path_prob, cross-entropy plus
--auxiliary_weight times the auxiliary head's, gradient norm clipped to --grad_clip), on CIFAR-10
with train.py's augmentation (utils._data_transforms_cifar10), wrapped in
DistributedDataParallel: each process trains on its share of the data (DistributedSampler), so
--batch_size is per process. At the end, rank 0 writes the weights as safetensors (with the
genotype beside them) for `nas-lab import`.

    # one GPU
    torchrun --nproc_per_node=1 scripts/pytorch/train_ddp.py --darts ~/darts/cnn --export out/torch --data ~/data
    # eight GPUs on one machine
    torchrun --nproc_per_node=8 scripts/pytorch/train_ddp.py --darts ~/darts/cnn --export out/torch --data ~/data
    # no GPU (a check on CPU: gloo backend, random images, drop path off: DARTS's drop_path is CUDA-only)
    torchrun --nproc_per_node=2 scripts/pytorch/train_ddp.py --darts ~/darts/cnn --export out/torch \
        --cpu --fake_data 64 --epochs 1 --batch_size 8 --drop_path_prob 0

The export holds no optimizer state: momentum starts from zero, and the learning rate follows a
new cosine schedule over --epochs. See docs/PYTORCH.md.
"""

import argparse
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    p = argparse.ArgumentParser("train_ddp")
    p.add_argument("--darts", required=True, help="the official code's cnn/ folder (model.py, utils.py, genotypes.py)")
    p.add_argument("--export", required=True, help="nas-lab export's folder or zip")
    p.add_argument("--data", default="../data", help="CIFAR-10 folder (torchvision downloads it there)")
    p.add_argument("--out", default="continued", help="folder for model.safetensors and genotype.txt")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch_size", type=int, default=96, help="per process")
    p.add_argument("--learning_rate", type=float, default=0.025)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight_decay", type=float, default=3e-4)
    p.add_argument("--auxiliary_weight", type=float, default=0.4)
    p.add_argument("--drop_path_prob", type=float, default=0.2)
    p.add_argument("--grad_clip", type=float, default=5.0)
    p.add_argument("--cutout", action="store_true", default=False)
    p.add_argument("--cutout_length", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cpu", action="store_true", help="train on CPU with the gloo backend")
    p.add_argument("--fake_data", type=int, default=0, help="N random 32x32 images instead of CIFAR-10 (checks)")
    return p.parse_args()


def data_loaders(args, world, rank):
    if args.fake_data:
        g = torch.Generator().manual_seed(args.seed)
        train = torch.utils.data.TensorDataset(torch.randn(args.fake_data, 3, 32, 32, generator=g),
                                               torch.randint(0, 10, (args.fake_data,), generator=g))
        valid = train
    else:
        import torchvision.datasets as dset
        import utils  # DARTS cnn/utils.py

        train_transform, valid_transform = utils._data_transforms_cifar10(args)
        train = dset.CIFAR10(root=args.data, train=True, download=rank == 0, transform=train_transform)
        valid = dset.CIFAR10(root=args.data, train=False, download=rank == 0, transform=valid_transform)
    sampler = torch.utils.data.distributed.DistributedSampler(train, num_replicas=world, rank=rank, shuffle=True)
    train_queue = torch.utils.data.DataLoader(train, batch_size=args.batch_size, sampler=sampler,
                                              pin_memory=not args.cpu, num_workers=2, drop_last=True)
    valid_queue = torch.utils.data.DataLoader(valid, batch_size=args.batch_size, shuffle=False, num_workers=2)
    return sampler, train_queue, valid_queue


def evaluate(model, queue, device):
    model.eval()
    correct, total, loss = 0, 0, 0.0
    with torch.no_grad():
        for x, y in queue:
            x, y = x.to(device), y.to(device)
            logits, _ = model(x)
            loss += nn.functional.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            total += y.numel()
    return loss / total, correct / total


def main():
    args = parse_args()
    sys.path.insert(0, os.path.abspath(args.darts))
    sys.path.insert(0, HERE)
    from darts_export import load_export, write_safetensors

    distributed = "WORLD_SIZE" in os.environ
    if distributed:
        dist.init_process_group(backend="gloo" if args.cpu else "nccl")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device("cpu") if args.cpu else torch.device("cuda", local_rank)
    if not args.cpu:
        torch.cuda.set_device(device)
    torch.manual_seed(args.seed + rank)

    model, info = load_export(args.export)  # load_state_dict(strict=True)
    if info["network"] != "NetworkCIFAR":
        raise SystemExit("this script trains NetworkCIFAR on CIFAR-10; for NetworkImageNet use train_imagenet.py's data")
    auxiliary = info["args"]["auxiliary"]
    model = model.to(device)
    net = nn.parallel.DistributedDataParallel(model, device_ids=None if args.cpu else [local_rank]) if distributed else model
    sampler, train_queue, valid_queue = data_loaders(args, world, rank)
    optimizer = torch.optim.SGD(model.parameters(), args.learning_rate, momentum=args.momentum,
                                weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, float(args.epochs))
    criterion = nn.CrossEntropyLoss()
    if rank == 0:
        loss, acc = evaluate(model, valid_queue, device)
        print("loaded %s: valid loss %.4f, accuracy %.4f" % (args.export, loss, acc), flush=True)
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        model.drop_path_prob = args.drop_path_prob * epoch / args.epochs
        net.train()
        start = time.time()
        for x, y in train_queue:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            optimizer.zero_grad()
            logits, logits_aux = net(x)
            loss = criterion(logits, y)
            if auxiliary:
                loss = loss + args.auxiliary_weight * criterion(logits_aux, y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
            optimizer.step()
        scheduler.step()
        if rank == 0:
            v_loss, v_acc = evaluate(model, valid_queue, device)
            print("epoch %d: lr %.3e, last train loss %.4f, valid loss %.4f, accuracy %.4f (%.0f s)"
                  % (epoch, optimizer.param_groups[0]["lr"], loss.item(), v_loss, v_acc, time.time() - start),
                  flush=True)
    if rank == 0:
        os.makedirs(args.out, exist_ok=True)
        write_safetensors(os.path.join(args.out, "model.safetensors"), model.state_dict(), {"format": "pt"})
        with open(os.path.join(args.out, "genotype.txt"), "w") as f:
            f.write(info["genotype_text"])
        print("wrote %s/model.safetensors and genotype.txt: nas-lab import --from %s/model.safetensors "
              "--genotype %s/genotype.txt --to model.nas" % (args.out, args.out, args.out), flush=True)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
