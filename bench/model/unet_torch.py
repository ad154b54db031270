#!/usr/bin/env python3
"""The ID3 U-Net of worker/model written in PyTorch, layer for layer, to time the same work in both stacks.

Same architecture and parameter shapes as worker/model/unet.ts (the parameter count is printed and the bench driver
checks it equals ours): DDPM residual blocks (GroupNorm, SiLU, conv, time projection, dropout, zero-init conv), attention
blocks with self-attention then cross-attention to the single condition token, the conditioning MLP [y; s] -> 512 ->
256 -> 768 added to the time embedding, and the same random CNN encoder used by bench/model/bench.ts. It times:
  train:  one ID3 step (eps-MSE + identity term through the frozen encoder, backward, grad clipping, AdamW, EMA)
  sample: one DDIM step without guidance (no grad) and with identity guidance (grad of <y, f(x0_hat)> w.r.t. x_t)

  python3 bench/model/unet_torch.py --size 32 --train-batch 16 --sample-batch 4 --threads 1 [--device cpu|cuda]

Prints one JSON object. Needs Debian's python3-torch (1.13); bench/model/run.sh installs it.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    32: dict(channels=32, mults=[1, 2, 2], res_blocks=1, attn=[8], heads=4, groups=8, dropout=0.0),
    64: dict(channels=128, mults=[1, 2, 2, 2], res_blocks=2, attn=[16], heads=4, groups=32, dropout=0.1),
    112: dict(channels=128, mults=[1, 1, 2, 2, 4], res_blocks=2, attn=[14], heads=4, groups=32, dropout=0.1),
}
EMBEDDING = 512
ATTRIBUTES = 4
COND_HIDDEN = [512, 256, 768]


class ResBlock(nn.Module):
    def __init__(self, ci, co, temb, groups, dropout):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, ci)
        self.conv1 = nn.Conv2d(ci, co, 3, padding=1)
        self.temb = nn.Linear(temb, co)
        self.norm2 = nn.GroupNorm(groups, co)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(co, co, 3, padding=1)
        self.skip = nn.Conv2d(ci, co, 1) if ci != co else nn.Identity()

    def forward(self, x, temb_act):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.temb(temb_act)[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return self.skip(x) + h


def attention(q, k, v, heads):
    b, n, c = q.shape
    l = k.shape[1]
    d = c // heads
    q = q.reshape(b, n, heads, d).transpose(1, 2)
    k = k.reshape(b, l, heads, d).transpose(1, 2)
    v = v.reshape(b, l, heads, d).transpose(1, 2)
    w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1)
    return (w @ v).transpose(1, 2).reshape(b, n, c)


class AttentionBlock(nn.Module):
    def __init__(self, ch, ctx, heads, groups):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(groups, ch)
        self.qkv = nn.Linear(ch, 3 * ch)
        self.proj = nn.Linear(ch, ch)
        self.cross_norm = nn.GroupNorm(groups, ch)
        self.cross_q = nn.Linear(ch, ch)
        self.cross_k = nn.Linear(ctx, ch)
        self.cross_v = nn.Linear(ctx, ch)
        self.cross_proj = nn.Linear(ch, ch)

    def forward(self, x, context):
        b, c, h, w = x.shape
        tokens = lambda t: t.reshape(b, c, h * w).transpose(1, 2)  # noqa: E731
        untokens = lambda t: t.transpose(1, 2).reshape(b, c, h, w)  # noqa: E731
        q, k, v = self.qkv(tokens(self.norm(x))).chunk(3, dim=-1)
        x = x + untokens(self.proj(attention(q, k, v, self.heads)))
        cq = self.cross_q(tokens(self.cross_norm(x)))
        cross = attention(cq, self.cross_k(context), self.cross_v(context), self.heads)
        return x + untokens(self.cross_proj(cross))


class UNet(nn.Module):
    def __init__(self, size, channels, mults, res_blocks, attn, heads, groups, dropout):
        super().__init__()
        temb = 4 * channels
        ctx = COND_HIDDEN[-1]
        self.channels = channels
        self.time0 = nn.Linear(channels, temb)
        self.time1 = nn.Linear(temb, temb)
        sizes = [EMBEDDING + ATTRIBUTES] + COND_HIDDEN
        self.cond = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.cond_to_time = nn.Linear(ctx, temb)
        self.inconv = nn.Conv2d(3, channels, 3, padding=1)
        self.stages = nn.ModuleList()
        self.kinds = []
        skips = [channels]
        ch = channels
        sides = [size // 2**i for i in range(len(mults))]

        def add(kind, module=None):
            self.kinds.append(kind)
            self.stages.append(module if module is not None else nn.Identity())

        for level, mult in enumerate(mults):
            for _ in range(res_blocks):
                add('res', ResBlock(ch, channels * mult, temb, groups, dropout))
                ch = channels * mult
                if sides[level] in attn:
                    add('attn', AttentionBlock(ch, ctx, heads, groups))
                add('push')
                skips.append(ch)
            if level < len(mults) - 1:
                add('down', nn.Conv2d(ch, ch, 3, stride=2, padding=1))
                add('push')
                skips.append(ch)
        add('res', ResBlock(ch, ch, temb, groups, dropout))
        add('attn', AttentionBlock(ch, ctx, heads, groups))
        add('res', ResBlock(ch, ch, temb, groups, dropout))
        for level in reversed(range(len(mults))):
            for _ in range(res_blocks + 1):
                add('pop')
                add('res', ResBlock(ch + skips.pop(), channels * mults[level], temb, groups, dropout))
                ch = channels * mults[level]
                if sides[level] in attn:
                    add('attn', AttentionBlock(ch, ctx, heads, groups))
            if level > 0:
                add('up', nn.Conv2d(ch, ch, 3, padding=1))
        self.outnorm = nn.GroupNorm(groups, ch)
        self.outconv = nn.Conv2d(ch, 3, 3, padding=1)

    def timestep_embedding(self, t):
        half = self.channels // 2
        freqs = torch.exp(-math.log(10000) * torch.arange(half, device=t.device) / half)
        args = t[:, None].float() * freqs[None]
        return torch.cat([torch.sin(args), torch.cos(args)], dim=1)

    def forward(self, x, t, cond):
        c = cond
        for i, layer in enumerate(self.cond):
            c = layer(c)
            if i < len(self.cond) - 1:
                c = F.relu(c)
        temb = self.time1(F.silu(self.time0(self.timestep_embedding(t))))
        temb_act = F.silu(temb + self.cond_to_time(c))
        context = c[:, None, :]
        h = self.inconv(x)
        skips = [h]
        for kind, stage in zip(self.kinds, self.stages):
            if kind == 'res':
                h = stage(h, temb_act)
            elif kind == 'attn':
                h = stage(h, context)
            elif kind == 'down':
                h = stage(h)
            elif kind == 'up':
                h = stage(F.interpolate(h, scale_factor=2, mode='nearest'))
            elif kind == 'push':
                skips.append(h)
            else:
                h = torch.cat([h, skips.pop()], dim=1)
        return self.outconv(F.silu(self.outnorm(h)))


class RandomCnnEncoder(nn.Module):
    """bench.ts's encoder: four stride-2 3x3 convolutions with tanh, mean pool, linear, L2 normalisation."""

    def __init__(self, channels=(32, 64, 128, 256)):
        super().__init__()
        sizes = [3, *channels]
        self.convs = nn.ModuleList(nn.Conv2d(a, b, 3, stride=2, padding=1, bias=False) for a, b in zip(sizes[:-1], sizes[1:]))
        self.dense = nn.Linear(channels[-1], EMBEDDING, bias=False)
        for p in self.parameters():
            p.requires_grad_(False)

    def forward(self, x):
        x = (x + 1) / 2
        x = (x - 0.5) / 0.5
        for conv in self.convs:
            x = torch.tanh(conv(x))
        return F.normalize(self.dense(x.mean(dim=(2, 3))), dim=1)


def linear_alpha_bar(device):
    betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
    return torch.cat([torch.ones(1, dtype=torch.float64), torch.cumprod(1 - betas, 0)]).float().to(device)


def w_t(t, T=1000):
    return 0.5 * (1 - 1 / (1 + torch.exp(-t.float() / T)))


def sync(device):
    if device == 'cuda':
        torch.cuda.synchronize()


def timed(reps, device, fn):
    fn()
    sync(device)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def bench_train(net, encoder, ab, size, batch, reps, device):
    opt = torch.optim.AdamW(net.parameters(), lr=1e-4, weight_decay=0)
    ema = [p.detach().clone() for p in net.parameters()]
    x0 = torch.tanh(torch.randn(batch, 3, size, size, device=device))
    y = encoder(x0)
    cond = torch.cat([y, torch.zeros(batch, ATTRIBUTES, device=device)], dim=1)

    def step():
        t = torch.randint(1, 1001, (batch,), device=device)
        noise = torch.randn_like(x0)
        a = ab[t][:, None, None, None]
        xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
        eps = net(xt, t, cond)
        x0_hat = ((xt - (1 - a).sqrt() * eps) / a.sqrt()).clamp(-1, 1)
        identity = (encoder(x0_hat) * y).sum(1)
        loss = F.mse_loss(eps, noise) - (w_t(t) * identity).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            torch._foreach_mul_(ema, 0.9999)
            torch._foreach_add_(ema, [p.detach() for p in net.parameters()], alpha=1e-4)

    net.train()
    return timed(reps, device, step)


def bench_sample(net, encoder, ab, size, batch, reps, device, guided):
    net.eval()
    x = torch.randn(batch, 3, size, size, device=device)
    y = F.normalize(torch.randn(batch, EMBEDDING, device=device), dim=1)
    cond = torch.cat([y, torch.zeros(batch, ATTRIBUTES, device=device)], dim=1)
    t_val, t_prev = 500, 480
    a, a_prev = ab[t_val], ab[t_prev]
    t = torch.full((batch,), t_val, device=device)

    def step():
        if guided:
            xt = x.detach().requires_grad_(True)
            eps = net(xt, t, cond)
            x0_hat = ((xt - (1 - a).sqrt() * eps) / a.sqrt()).clamp(-1, 1)
            g, = torch.autograd.grad((encoder(x0_hat) * y).sum(), xt)
            eps = eps.detach() - (1 - a).sqrt() * w_t(torch.tensor(t_val)) * g
        else:
            with torch.no_grad():
                eps = net(x, t, cond)
        with torch.no_grad():
            x0_hat = (x - (1 - a).sqrt() * eps) / a.sqrt()
            return a_prev.sqrt() * x0_hat + (1 - a_prev).sqrt() * eps

    return timed(reps, device, step)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--size', type=int, required=True, choices=sorted(PRESETS))
    p.add_argument('--train-batch', type=int, default=16)
    p.add_argument('--sample-batch', type=int, default=4)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--reps', type=int, default=2)
    p.add_argument('--device', default='cpu')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = args.device
    net = UNet(args.size, **PRESETS[args.size]).to(device)
    encoder = RandomCnnEncoder().to(device)
    ab = linear_alpha_bar(device)
    train = bench_train(net, encoder, ab, args.size, args.train_batch, args.reps, device)
    plain = bench_sample(net, encoder, ab, args.size, args.sample_batch, args.reps, device, guided=False)
    guided = bench_sample(net, encoder, ab, args.size, args.sample_batch, args.reps, device, guided=True)
    print(json.dumps({
        'torch': torch.__version__,
        'device': device,
        'threads': args.threads,
        'size': args.size,
        'params': sum(p.numel() for p in net.parameters()),
        'train': {'batch': args.train_batch, 'secondsPerStep': train},
        'sample': {
            'batch': args.sample_batch,
            'DDIM s_id=0': {'secondsPerStep': plain, 'secondsPerImagePerStep': plain / args.sample_batch},
            'DDIM s_id=1': {'secondsPerStep': guided, 'secondsPerImagePerStep': guided / args.sample_batch},
        },
    }))


if __name__ == '__main__':
    main()
