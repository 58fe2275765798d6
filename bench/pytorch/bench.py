"""PyTorch's side of kindling's benchmark (bench/spec.ts): the same workloads, timed the same way
(warm-up, then the median of several samples of many iterations), one JSON object on stdout.

    python3 bench/pytorch/bench.py [--quick] [--only id,id] [--threads N]

Debian's PyTorch uses the reference BLAS unless OpenBLAS is installed; bench/run.ts runs this
script with LD_LIBRARY_PATH pointing at the OpenMP build of OpenBLAS when it is there (the pthread
build fights PyTorch's own threads). The "blas" field says which library was actually loaded.
"""
import json
import math
import os
import platform
import sys
import time

import torch
from torch import nn, optim

FULL = dict(warmup_s=1, max_warmup_s=6, sample_s=0.25, samples=9, budget_s=20)
QUICK = dict(warmup_s=0.5, max_warmup_s=2, sample_s=0.05, samples=3, budget_s=4)
XOR_BATCH = 64
MLP_BATCH = 128
N = 1 << 20
T = dict(seq=128, d_model=512, heads=8, ffn=2048)
ENC = dict(layers=2, d_model=128, heads=4, ffn=256, seq=64, batch=16)
R = dict(input=64, hidden=128, seq=32, batch=32, layers=2, classes=10)
CONV = dict(batch=8, channels=64, size=32)
LENET = dict(batch=64, size=28, classes=10)
RESNET18 = dict(batch=1, size=224, classes=1000)
RESNET_SMALL = dict(batch=32, size=32, classes=10)
ATT = dict(batch=8, heads=8, seq=256, head_dim=64)


def warm_up(step, first, o):
    """As bench/harness.ts: chunks until warmup_s passed and three chunks in a row stopped improving."""
    if first >= o["warmup_s"]:
        return first
    chunk_s = o["warmup_s"] / 5
    start = time.perf_counter()
    best = first
    flat = 0
    batch = max(1, round(chunk_s / first))
    while True:
        t0 = time.perf_counter()
        for _ in range(batch):
            step()
        per = (time.perf_counter() - t0) / batch
        flat = flat + 1 if per > best * 0.97 else 0
        best = min(best, per)
        elapsed = time.perf_counter() - start
        if elapsed >= o["max_warmup_s"] or (elapsed >= o["warmup_s"] and flat >= 3):
            return best
        batch = max(1, round(chunk_s / per))


def measure(step, o):
    t0 = time.perf_counter()
    step()
    first = time.perf_counter() - t0
    per = warm_up(step, first, o)
    k = max(1, round(o["sample_s"] / per))
    samples = max(1, min(o["samples"], math.floor(o["budget_s"] / (k * per))))
    per_sample = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(k):
            step()
        per_sample.append((time.perf_counter() - start) / k)
    s = sorted(per_sample)
    m = len(s) // 2
    med = s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2
    return {"seconds": med, "minSeconds": min(per_sample), "perSample": per_sample, "iterationsPerSample": k}


def xor_step():
    torch.manual_seed(0)
    bits = torch.randint(0, 2, (XOR_BATCH, 2))
    x = bits.float()
    y = (bits[:, 0] != bits[:, 1]).float().unsqueeze(1)
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    criterion = nn.BCELoss()
    opt = optim.SGD(model.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        opt.step()

    return step


def training_step(model, x, labels):
    criterion = nn.CrossEntropyLoss()
    opt = optim.SGD(model.parameters(), lr=0.01)
    model.train()

    def step():
        opt.zero_grad()
        loss = criterion(model(x), labels)
        loss.backward()
        opt.step()

    return step


def mlp_step():
    torch.manual_seed(0)
    x = torch.randn(MLP_BATCH, 784)
    labels = torch.randint(0, 10, (MLP_BATCH,))
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    return training_step(model, x, labels)


def matmul(n):
    def prepare():
        torch.manual_seed(0)
        a, b = torch.randn(n, n), torch.randn(n, n)
        return lambda: a @ b

    return prepare


def one_m(f):
    def prepare():
        torch.manual_seed(0)
        a = torch.randn(N)
        return lambda: f(a)

    return prepare


def add():
    torch.manual_seed(0)
    a, b = torch.randn(N), torch.randn(N)
    return lambda: a + b


def square(f):
    def prepare():
        torch.manual_seed(0)
        a = torch.randn(1024, 1024)
        return lambda: f(a)

    return prepare


def transformer_block():
    seq, d, heads, ffn = T["seq"], T["d_model"], T["heads"], T["ffn"]
    dh = d // heads
    torch.manual_seed(0)

    def w(i, o):
        return torch.randn(i, o) * (1 / math.sqrt(i))

    x = torch.randn(seq, d)
    wq, wk, wv, wo = w(d, d), w(d, d), w(d, d), w(d, d)
    w1, w2 = w(d, ffn), w(ffn, d)

    def split(t):
        return t.view(seq, heads, dh).transpose(0, 1)

    def step():
        with torch.no_grad():
            q, k, v = split(x @ wq), split(x @ wk), split(x @ wv)
            p = (q @ k.transpose(1, 2) * (1 / math.sqrt(dh))).softmax(-1)
            h = x + (p @ v).transpose(0, 1).reshape(seq, d) @ wo
            return h + torch.relu(h @ w1) @ w2

    return step


def transformer_encoder_step():
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(ENC["d_model"], ENC["heads"], dim_feedforward=ENC["ffn"], batch_first=True)
    model = nn.TransformerEncoder(layer, ENC["layers"])
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(ENC["batch"], ENC["seq"], ENC["d_model"])
    target = torch.randn(ENC["batch"], ENC["seq"], ENC["d_model"])
    criterion = nn.MSELoss()

    def step():
        opt.zero_grad()
        loss = criterion(model(x), target)
        loss.backward()
        opt.step()

    return step


def attention_sdpa():
    """1.13 has no scaled_dot_product_attention: its math path written out, forward and backward."""
    torch.manual_seed(0)
    shape = (ATT["batch"], ATT["heads"], ATT["seq"], ATT["head_dim"])
    q, k, v = (torch.randn(*shape).requires_grad_() for _ in range(3))
    scale = 1 / math.sqrt(ATT["head_dim"])

    def step():
        q.grad = k.grad = v.grad = None
        out = torch.softmax(q @ k.transpose(-2, -1) * scale, -1) @ v
        out.sum().backward()

    return step


def lstm_step():
    torch.manual_seed(0)
    x = torch.randn(R["seq"], R["batch"], R["input"])
    labels = torch.randint(0, R["classes"], (R["batch"],))
    lstm = nn.LSTM(R["input"], R["hidden"], num_layers=R["layers"])
    head = nn.Linear(R["hidden"], R["classes"])
    params = list(lstm.parameters()) + list(head.parameters())
    criterion = nn.CrossEntropyLoss()
    opt = optim.SGD(params, lr=0.01)

    def step():
        opt.zero_grad()
        out, _ = lstm(x)
        loss = criterion(head(out[-1]), labels)
        loss.backward()
        nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()

    return step


def gru_forward():
    torch.manual_seed(0)
    x = torch.randn(R["seq"], R["batch"], R["input"])
    gru = nn.GRU(R["input"], R["hidden"], num_layers=R["layers"])

    def step():
        with torch.no_grad():
            return gru(x)

    return step


def conv2d_forward():
    torch.manual_seed(0)
    c = CONV["channels"]
    x = torch.randn(CONV["batch"], c, CONV["size"], CONV["size"])
    conv = nn.Conv2d(c, c, 3, padding=1)

    def step():
        with torch.no_grad():
            return conv(x)

    return step


def conv2d_step():
    torch.manual_seed(0)
    c = CONV["channels"]
    x = torch.randn(CONV["batch"], c, CONV["size"], CONV["size"]).requires_grad_()
    conv = nn.Conv2d(c, c, 3, padding=1)

    def step():
        x.grad = None
        conv.zero_grad(set_to_none=True)
        y = conv(x)
        y.sum().backward()

    return step


def resnet18(num_classes):
    """torchvision's resnet18 when torchvision is installed; otherwise the transcription of it that
    kindling's ResNet fixtures use (scripts/fixtures/resnet.py: same modules, same init)."""
    try:
        from torchvision.models import resnet18 as tv_resnet18

        return tv_resnet18(num_classes=num_classes)
    except ImportError:
        import importlib.util

        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "fixtures", "resnet.py")
        spec = importlib.util.spec_from_file_location("resnet_fixture", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.ResNet(module.BasicBlock, [2, 2, 2, 2], num_classes=num_classes)


def lenet5_step():
    torch.manual_seed(0)
    x = torch.randn(LENET["batch"], 1, LENET["size"], LENET["size"])
    labels = torch.randint(0, LENET["classes"], (LENET["batch"],))
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, LENET["classes"]),
    )
    return training_step(model, x, labels)


def resnet18_forward():
    torch.manual_seed(0)
    x = torch.randn(RESNET18["batch"], 3, RESNET18["size"], RESNET18["size"])
    model = resnet18(RESNET18["classes"]).eval()

    def step():
        with torch.no_grad():
            return model(x)

    return step


def resnet_small_step():
    torch.manual_seed(0)
    x = torch.randn(RESNET_SMALL["batch"], 3, RESNET_SMALL["size"], RESNET_SMALL["size"])
    labels = torch.randint(0, RESNET_SMALL["classes"], (RESNET_SMALL["batch"],))
    return training_step(resnet18(RESNET_SMALL["classes"]), x, labels)


WORKLOADS = {
    "xor-step": xor_step,
    "mlp-step": mlp_step,
    "matmul-1024": matmul(1024),
    "matmul-128": matmul(128),
    "add-1m": add,
    "mul-scalar-1m": one_m(lambda a: a * 1.5),
    "exp-1m": one_m(torch.exp),
    "relu-1m": one_m(torch.relu),
    "softmax-1024": square(lambda a: a.softmax(-1)),
    "sum-1m": one_m(torch.sum),
    "sum-rows-1024": square(lambda a: a.sum(1)),
    "sum-cols-1024": square(lambda a: a.sum(0)),
    "transformer-block": transformer_block,
    "transformer-encoder-step": transformer_encoder_step,
    "attention-sdpa": attention_sdpa,
    "lstm-step": lstm_step,
    "gru-forward": gru_forward,
    "conv2d-forward": conv2d_forward,
    "conv2d-step": conv2d_step,
    "lenet5-step": lenet5_step,
    "resnet18-forward": resnet18_forward,
    "resnet-small-step": resnet_small_step,
}


def loaded_blas():
    """The BLAS shared objects mapped into this process (after a matmul has run)."""
    torch.randn(64, 64) @ torch.randn(64, 64)
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if "blas" in os.path.basename(path).lower():
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(libs)


def main():
    args = sys.argv[1:]
    o = QUICK if "--quick" in args else FULL
    only = args[args.index("--only") + 1].split(",") if "--only" in args else None
    threads = int(args[args.index("--threads") + 1]) if "--threads" in args else 2
    torch.set_num_threads(threads)
    results = {}
    for name, prepare in WORKLOADS.items():
        if only and name not in only:
            continue
        try:
            results[name] = measure(prepare(), o)
            print(f"  pytorch {name}: {results[name]['seconds'] * 1e6:.1f} µs/iter", file=sys.stderr)
        except Exception as e:  # noqa: BLE001 - a failed workload is reported, the others still run
            results[name] = {"error": str(e)}
    if (only is None or "matmul-1024" in only) and threads != 1:
        torch.set_num_threads(1)
        results["matmul-1024-1thread"] = measure(matmul(1024)(), o)
        torch.set_num_threads(threads)
    info = {
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": threads,
        "blas": loaded_blas(),
        "ldLibraryPath": os.environ.get("LD_LIBRARY_PATH"),
    }
    print(json.dumps({"engine": "pytorch", "info": info, "results": results}))


main()
