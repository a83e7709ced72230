"""LSTM forecast of the airline-passengers series: fit on the first 96 months, forecast the last 48.

The series grows and its seasonal swing grows with it, so the LSTM works on the year-over-year log
growth ``d[t] = log x[t] - log x[t-12]`` (near-stationary), standardised with the training months'
statistics. It learns to predict ``d[t]`` from the previous 12 values (sliding windows over the
training months), then forecasts all 48 test months recursively, feeding back its own predictions:
``x[t] = x[t-12] * exp(d[t])``. It never sees a test value. The baseline is the seasonal-naive
forecast (repeat the last training year). Prints both test RMSEs (thousands of passengers) and saves
actual vs forecast as airline_lstm.png.

    python examples/airline_lstm.py [--epochs N] [--quick] [--backend torch]
"""
import math
import time

import _common
from ember.vision import datasets

TRAIN, TEST, WINDOW, SEASON = 96, 48, 12, 12


def main():
    args = _common.parse_args(__doc__, epochs=250)
    torch = _common.load_backend(args)
    nn = torch.nn
    t0 = time.time()
    epochs = args.epochs or (60 if args.quick else args.default_epochs)

    series, months = datasets.air_passengers(with_months=True)
    series = _common.to_backend(torch, series).double()
    logx = series.log()
    growth = logx[SEASON:] - logx[:-SEASON]                   # d[t] for t = 12..143 (index t-12)
    train_growth = growth[:TRAIN - SEASON]                     # only months < 96
    mu, sd = train_growth.mean(), train_growth.std()
    z = ((train_growth - mu) / sd).float()

    xs = torch.stack([z[i:i + WINDOW] for i in range(len(z) - WINDOW)]).unsqueeze(-1)  # (72, 12, 1)
    ys = z[WINDOW:].unsqueeze(-1)                                                        # (72, 1)

    class Forecaster(nn.Module):
        def __init__(self, hidden=32):
            super().__init__()
            self.lstm = nn.LSTM(1, hidden, batch_first=True)
            self.head = nn.Linear(hidden, 1)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out[:, -1])

    model = Forecaster()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, epochs // 3), gamma=0.3)
    losses = []
    writer = _common.summary_writer(args)
    bar = _common.progress(range(epochs), args, desc="airline", unit="epoch")
    for epoch in bar:
        loss = nn.functional.mse_loss(model(xs), ys)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
        writer.add_scalar("loss/train_mse", losses[-1], epoch)
        if hasattr(bar, "set_postfix") and epoch % 20 == 0:
            bar.set_postfix(mse=f"{losses[-1]:.4f}")

    # recursive 48-month forecast from the training months only
    model.eval()
    window = z[-WINDOW:].tolist()
    hist = series[:TRAIN].tolist()
    with torch.no_grad():
        for _ in range(TEST):
            zin = torch.tensor(window[-WINDOW:], dtype=torch.float32).view(1, WINDOW, 1)
            zhat = model(zin).item()
            window.append(zhat)
            d = zhat * sd.item() + mu.item()
            hist.append(hist[-SEASON] * math.exp(d))
    forecast = torch.tensor(hist[TRAIN:], dtype=torch.float64)
    actual = series[TRAIN:]
    naive = series[TRAIN - SEASON:TRAIN].repeat(TEST // SEASON)
    rmse = ((forecast - actual) ** 2).mean().sqrt().item()
    rmse_naive = ((naive - actual) ** 2).mean().sqrt().item()
    writer.add_scalar("rmse/test", rmse, epochs)
    writer.close()

    plt = _common.pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(range(144), series.tolist(), "k-", lw=1.2, label="actual")
    ax.plot(range(TRAIN, 144), naive.tolist(), "--", color="tab:gray",
            label=f"seasonal naive (RMSE {rmse_naive:.1f})")
    ax.plot(range(TRAIN, 144), forecast.tolist(), "-", color="tab:red", lw=1.8,
            label=f"LSTM forecast (RMSE {rmse:.1f})")
    ax.axvline(TRAIN - 0.5, color="tab:blue", lw=0.8)
    ticks = list(range(0, 144, 24))
    ax.set_xticks(ticks)
    ax.set_xticklabels([months[i][:4] for i in ticks])
    ax.set_ylabel("passengers (thousands)")
    ax.set_title("Airline passengers: 48-month forecast from the first 96 months")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(_common.plot_path(args, "airline_lstm"), dpi=80)
    _common.summary("airline_lstm", args, t0, epochs=epochs, test_rmse=rmse,
                    seasonal_naive_rmse=rmse_naive, final_train_mse=losses[-1])


if __name__ == "__main__":
    main()
