"""Neural style transfer (Gatys, Ecker & Bethge, 2016): repaint a photo in the style of a painting by
optimising the image's pixels with L-BFGS.

Feature network: there are no pretrained VGG weights offline, so the features come from a *fixed,
randomly initialised* multi-scale CNN (four 3x3 conv + ReLU stages at full, 1/2, 1/4 and 1/8
resolution, widths 32-64-128-256, plus a 32-wide 7x7 conv at full resolution). Ustyuzhaninov, Brendel, Gatys
& Bethge ("Texture synthesis using shallow convolutional networks with random filters", 2016) and
He, Wang & Hopcroft ("A powerful generative model using random weights for the deep image
representation", NeurIPS 2016) show that Gram matrices of wide random multi-scale filters capture
colours and textures well enough for texture synthesis and style transfer; the content term is the
1/2-resolution feature map, which keeps the photo's layout. Style loss: squared differences of the
normalised Gram matrices of every stage; content loss: mean squared feature difference.

Content photo: scikit-image's ``chelsea`` (or ``--content astronaut``/``china``/``flower``); style:
van Gogh's "The Starry Night" shipped with Ember. Saves content | style | result as
style_transfer.png and prints the total loss before and after (goal: falls >= 10x).

    python examples/style_transfer.py [--epochs N] [--quick] [--backend torch] [--size PX]
"""
import time

import _common
from ember.vision import datasets, transforms


CONTENT = 2   # index of the content feature map (the 1/2-resolution stage)


def extra(p):
    p.add_argument("--size", type=int, default=128, help="height of the working images (pixels)")
    p.add_argument("--content", default="chelsea", help="chelsea, astronaut, coffee, china or flower")
    p.add_argument("--style-weight", type=float, default=3e2, help="weight of the style loss")
    p.add_argument("--max-iter", type=int, default=20, help="L-BFGS iterations per epoch (step)")


def main():
    args = _common.parse_args(__doc__, epochs=6, extra=extra)
    torch = _common.load_backend(args)
    nn, F = torch.nn, torch.nn.functional
    t0 = time.time()
    if args.quick:
        args.size, args.max_iter = 64, 10
    epochs = args.epochs or (2 if args.quick else args.default_epochs)

    resize = transforms.Resize(args.size)
    content = _common.to_backend(torch, resize(datasets.sample_image(args.content))).unsqueeze(0)
    painting = datasets.starry_night()
    painting = transforms.CenterCrop((painting.shape[1] - 16, painting.shape[2] - 16))(painting)  # frame
    style = _common.to_backend(torch, resize(painting)).unsqueeze(0)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)

    class RandomFeatures(nn.Module):
        """Fixed random multi-scale CNN; returns the feature map of every stage."""

        def __init__(self):
            super().__init__()
            self.wide = nn.Conv2d(3, 32, 7, padding=3)
            self.stages = nn.ModuleList([
                nn.Conv2d(3, 32, 3, padding=1), nn.Conv2d(32, 64, 3, padding=1),
                nn.Conv2d(64, 128, 3, padding=1), nn.Conv2d(128, 256, 3, padding=1)])
            for conv in [self.wide, *self.stages]:
                nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
                nn.init.uniform_(conv.bias, -0.5, 0.5)

        def forward(self, x):
            x = (x - mean) / std
            feats = [F.relu(self.wide(x))]
            for i, conv in enumerate(self.stages):
                if i:
                    x = F.avg_pool2d(x, 2)
                x = F.relu(conv(x))
                feats.append(x)
            return feats

    net = RandomFeatures()
    for p in net.parameters():
        p.requires_grad_(False)

    def gram(f):
        _, c, h, w = f.shape
        f = f.reshape(c, h * w)
        return f @ f.t() / (c * h * w)

    with torch.no_grad():
        style_grams = [gram(f) for f in net(style)]
        content_target = net(content)[CONTENT]

    image = content.clone().requires_grad_(True)
    opt = torch.optim.LBFGS([image], lr=1.0, max_iter=args.max_iter, history_size=50,
                            line_search_fn="strong_wolfe")
    last = {}

    def closure():
        opt.zero_grad()
        feats = net(image)
        s_loss = sum(((gram(f) - g) ** 2).sum() for f, g in zip(feats, style_grams))
        c_loss = F.mse_loss(feats[CONTENT], content_target)
        loss = args.style_weight * s_loss + c_loss
        loss.backward()
        last.update(loss=loss.item(), style=s_loss.item(), content=c_loss.item())
        return loss

    with torch.no_grad():
        feats = net(image)
        s0 = sum(((gram(f) - g) ** 2).sum() for f, g in zip(feats, style_grams)).item()
        initial = args.style_weight * s0 + F.mse_loss(feats[CONTENT], content_target).item()
    curve = [initial]
    writer = _common.summary_writer(args)
    writer.add_scalar("loss/total", initial, 0)
    for _ in _common.progress(range(epochs), args, desc="style", unit="step"):
        opt.step(closure)
        with torch.no_grad():
            image.clamp_(0, 1)
        curve.append(last["loss"])
        writer.add_scalar("loss/total", last["loss"], len(curve) - 1)
        writer.add_scalar("loss/style", last["style"], len(curve) - 1)
        writer.add_scalar("loss/content", last["content"], len(curve) - 1)
    with torch.no_grad():
        feats = net(image)
        s1 = sum(((gram(f) - g) ** 2).sum() for f, g in zip(feats, style_grams)).item()
        final = args.style_weight * s1 + F.mse_loss(feats[CONTENT], content_target).item()
        writer.add_image("result", image[0].clamp(0, 1), len(curve) - 1)
    writer.close()

    plt = _common.pyplot()
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.4), gridspec_kw={"width_ratios": [1, 1, 1, 0.8]})
    for ax, img, title in zip(axes, (content, style, image.detach()),
                              ("content photo", "style: The Starry Night", "result")):
        ax.imshow(img[0].permute(1, 2, 0).clamp(0, 1).numpy())
        ax.set_title(title)
        ax.axis("off")
    axes[3].semilogy(range(len(curve)), curve, "o-")
    axes[3].set_xlabel("L-BFGS step")
    axes[3].set_title(f"total loss (x{initial / final:.0f} lower)")
    fig.tight_layout()
    fig.savefig(_common.plot_path(args, "style_transfer"), dpi=80)
    _common.summary("style_transfer", args, t0, steps=epochs, initial_loss=initial, final_loss=final,
                    loss_ratio=initial / final, size=list(image.shape[2:]))


if __name__ == "__main__":
    main()
