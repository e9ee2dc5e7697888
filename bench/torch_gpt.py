"""The PyTorch side of `npm run bench -- gpu` and `npm run bench -- train` (bench/gpu.ts,
bench/train.ts): the same GPT, initial weights, tokens and AdamW as Kiln's trainer, timed in f32
eager (and bf16 autocast on a GPU), and loss runs when the job asks for them: f32, bf16 autocast,
and on a GPU also f16 autocast with a dynamic loss scale.

    python3 bench/torch_gpt.py '<json job>'

The job's "device" is "cuda" (the default) or "cpu", with "threads" for torch.set_num_threads.
Prints one JSON line: {"device", "f32", "bf16" (tokens/s or an error), "f32_cpu" (tokens per
CPU-second, on cpu; with "runs", medians over that many runs of "steps" steps), "losses",
"losses_bf16" and on a GPU "losses_f16" (or an error each).
The model follows trainer/model.ts: weights stored [in, out], pre-LayerNorm blocks, GELU (tanh),
tied output projection; the data windows and the learning-rate schedule use the same formulas.
"""
import json
import math
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

job = json.loads(sys.argv[1])
cfg = job["config"]
optim = job["optim"]
V, T, L, H, D = cfg["vocabSize"], cfg["blockSize"], cfg["layers"], cfg["heads"], cfg["width"]
device = job.get("device", "cuda")
cuda = device == "cuda"
if not cuda:
    torch.set_num_threads(job.get("threads", 1))


def parameter_shapes():
    shapes = [("wte", (V, D)), ("wpe", (T, D))]
    for i in range(L):
        p = f"h.{i}."
        shapes += [
            (p + "ln_1.g", (D,)), (p + "ln_1.b", (D,)),
            (p + "attn.c_attn.w", (D, 3 * D)), (p + "attn.c_attn.b", (3 * D,)),
            (p + "attn.c_proj.w", (D, D)), (p + "attn.c_proj.b", (D,)),
            (p + "ln_2.g", (D,)), (p + "ln_2.b", (D,)),
            (p + "mlp.c_fc.w", (D, 4 * D)), (p + "mlp.c_fc.b", (4 * D,)),
            (p + "mlp.c_proj.w", (4 * D, D)), (p + "mlp.c_proj.b", (D,)),
        ]
    return shapes + [("ln_f.g", (D,)), ("ln_f.b", (D,))]


def load_params():
    flat = np.fromfile(job["init"], dtype=np.float32)
    params, at = {}, 0
    for name, shape in parameter_shapes():
        size = math.prod(shape)
        params[name] = torch.tensor(flat[at:at + size].reshape(shape), device=device, requires_grad=True)
        at += size
    assert at == flat.size, f"init.bin holds {flat.size} floats, the config {at}"
    return params


def attention(q, k, v):
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    # PyTorch before 2.0 (Debian's 1.13): the same function, written out
    mask = torch.full((T, T), float("-inf"), device=q.device).triu(1)
    return ((q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1]) + mask).softmax(-1) @ v


def forward(p, idx):
    B = idx.shape[0]
    x = p["wte"][idx] + p["wpe"][:T]
    for i in range(L):
        q = f"h.{i}."
        h = F.layer_norm(x, (D,), p[q + "ln_1.g"], p[q + "ln_1.b"], 1e-5)
        qkv = h @ p[q + "attn.c_attn.w"] + p[q + "attn.c_attn.b"]
        qh, kh, vh = (t.view(B, T, H, D // H).transpose(1, 2) for t in qkv.split(D, dim=2))
        y = attention(qh, kh, vh).transpose(1, 2).reshape(B, T, D)
        x = x + (y @ p[q + "attn.c_proj.w"] + p[q + "attn.c_proj.b"])
        h = F.layer_norm(x, (D,), p[q + "ln_2.g"], p[q + "ln_2.b"], 1e-5)
        h = F.gelu(h @ p[q + "mlp.c_fc.w"] + p[q + "mlp.c_fc.b"], approximate="tanh")
        x = x + (h @ p[q + "mlp.c_proj.w"] + p[q + "mlp.c_proj.b"])
    x = F.layer_norm(x, (D,), p["ln_f.g"], p["ln_f.b"], 1e-5)
    return x @ p["wte"].t()


tokens = torch.from_numpy(np.fromfile(job["tokens"], dtype=np.uint16).astype(np.int64)).to(device)


def batch_at(step, B):
    starts = ((step * B + torch.arange(B, device=device)) * (T + 1)) % (tokens.numel() - T - 1)
    rows = torch.stack([tokens[s:s + T + 1] for s in starts.tolist()])
    return rows[:, :T], rows[:, 1:]


def learning_rate(step, steps):
    peak, floor, warmup = optim["learningRate"], optim["minLearningRate"], optim["warmupSteps"]
    if step < warmup:
        return peak * (step + 1) / warmup
    if step >= steps:
        return floor
    progress = (step - warmup) / max(1, steps - warmup)
    return floor + 0.5 * (1 + math.cos(math.pi * progress)) * (peak - floor)


def make_optimizer(p):
    decay = [t for t in p.values() if t.dim() >= 2]
    rest = [t for t in p.values() if t.dim() < 2]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": optim["weightDecay"]}, {"params": rest, "weight_decay": 0.0}],
        lr=optim["learningRate"], betas=(optim["beta1"], optim["beta2"]), eps=optim["epsilon"], **({"fused": True} if cuda else {}))


def step(p, opt, s, B, lr, autocast, half=None, scaler=None):
    """One step; autocast runs the forward in bf16 (or in `half`, a dtype), scaler scales the loss for f16."""
    for group in opt.param_groups:
        group["lr"] = lr
    x, y = batch_at(s, B)
    with torch.autocast(device, dtype=half or torch.bfloat16, enabled=autocast):
        logits = forward(p, x)
    loss = F.cross_entropy(logits.float().view(-1, V), y.reshape(-1))
    opt.zero_grad(set_to_none=True)
    if scaler is None:
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(p.values()), optim["gradClip"])
        opt.step()
        return loss
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    torch.nn.utils.clip_grad_norm_(list(p.values()), optim["gradClip"])
    scaler.step(opt)
    scaler.update()
    return loss


def synchronize():
    if cuda:
        torch.cuda.synchronize()


def speed(B, steps, autocast, runs=1):
    """Tokens/s by wall clock, and per CPU-second of this process: medians over `runs` runs of `steps` steps."""
    try:
        p = load_params()
        opt = make_optimizer(p)
        for s in range(2):
            step(p, opt, s, B, 1e-4, autocast)
        synchronize()
        walls, cpus = [], []
        for r in range(runs):
            start, cpu_start = time.perf_counter(), time.process_time()
            for s in range(steps):
                step(p, opt, 2 + r * steps + s, B, 1e-4, autocast)
            synchronize()
            tokens = B * T * steps
            walls.append(tokens / (time.perf_counter() - start))
            cpus.append(tokens / (time.process_time() - cpu_start))
        return statistics.median(walls), statistics.median(cpus)
    except Exception as error:  # out of memory at this batch, say: the table shows why
        message = f"{type(error).__name__}: {str(error).splitlines()[0][:100]}"
        return message, message
    finally:
        if cuda:
            torch.cuda.empty_cache()


def losses(B, steps, precision="f32"):
    """Per-step losses in f32, bf16 autocast, or f16 autocast with a dynamic loss scale (as Kiln's mixed f16)."""
    p = load_params()
    opt = make_optimizer(p)
    half = torch.float16 if precision == "f16" else None
    scaler = torch.amp.GradScaler(device) if precision == "f16" else None
    out = [step(p, opt, s, B, learning_rate(s, steps), precision != "f32", half, scaler) for s in range(steps)]
    return [float(v) for v in torch.stack(out).tolist()]


if cuda:
    torch.backends.cuda.matmul.allow_tf32 = False  # f32 means f32, as Kiln's WGSL
    torch.backends.cudnn.allow_tf32 = False
    result = {"device": torch.cuda.get_device_name(0)}
else:
    result = {"device": f"cpu, {torch.get_num_threads()} thread(s), PyTorch {torch.__version__}"}
result["f32"], result["f32_cpu"] = speed(job["batch"], job["steps"], False, job.get("runs", 1))
if cuda:
    result["bf16"] = speed(job["batch"], job["steps"], True)[0]
if job.get("lossSteps", 0) > 0:
    result["losses"] = losses(job["lossBatch"], job["lossSteps"])
    # The mixed-precision baselines for Kiln's f16 loss; autocast on a cpu has bf16 alone.
    for precision in ("bf16", "f16") if cuda else ("bf16",):
        try:
            result[f"losses_{precision}"] = losses(job["lossBatch"], job["lossSteps"], precision)
        except Exception as error:
            result[f"losses_{precision}"] = f"{type(error).__name__}: {str(error).splitlines()[0][:100]}"
print(json.dumps(result), flush=True)
