"""The paper's Figure 2 as data: the four curves of the authors' published figure (`figures/lc.png` in
LantaoYu/SeqGAN, fetched and sha256-checked like every public file) read back from its pixels, so that our
Figure 2 can draw the paper's curves beside ours without the project committing a copy of anyone's data.

Each curve is drawn in one colour of seaborn's "deep" palette on white. An anti-aliased pixel is that colour
blended with the white background, so a pixel belongs to a curve when it lies on the segment from white to the
curve's colour; a curve's value at a pixel column is the mean of its pixels' rows, weighted by how much of the
colour each holds. The axes are found by their dark frame and scaled by the figure's limits: NLL 8.6 to 10.0
(the lowest and highest tick labels sit on the frame) and epochs 0 to 260 (the tick labels 0 to 250 are 91.7
pixels per 50 epochs apart over a 477-pixel frame). One pixel is 0.55 epochs and 0.006 NLL. Where curves
overlap, only the one drawn on top is seen: MLE and PG-BLEU share SeqGAN's pretraining and appear only after
it. tests/test_paper_figure2.py checks the result against a digitisation of the figure's vector PDF.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reproduction.errors import UserError

# (R, G, B) of each curve in the figure (seaborn "deep", 2015)
COLORS = {"seqgan": (76, 114, 176), "mle": (85, 168, 104), "ss": (196, 78, 82), "pgbleu": (129, 114, 178)}
EPOCHS = (0.0, 260.0)  # x-axis limits
NLL = (8.6, 10.0)  # y-axis limits
LEGEND = (150.0, 9.3)  # the legend's line samples lie right of epoch 150 and above NLL 9.3; no curve does
MIN_SHARE, MAX_RESIDUAL = 0.35, 12.0  # a pixel holds at least 35% of the colour, and nothing else


def frame(darkness: np.ndarray) -> tuple[float, float, float, float]:
    """(left, right, top, bottom) of the axes' frame in pixels, from a [rows, cols] map of darkness (0 white,
    1 black): the lines holding an unbroken run of non-white pixels over most of the image, each at its
    darkness-weighted centre (an anti-aliased line spreads over two pixels)."""
    rows = _lines(darkness, 0.6 * darkness.shape[1])
    cols = _lines(darkness.T, 0.6 * darkness.shape[0])
    if len(rows) != 2 or len(cols) != 2:
        raise UserError("the paper's Figure 2 image has no axes frame where expected; is it figures/lc.png?")
    return cols[0], cols[1], rows[0], rows[1]


def _lines(darkness: np.ndarray, min_run: float) -> list[float]:
    """Centres of the groups of adjacent rows of `darkness` whose longest run of non-white pixels is at least
    `min_run` long, each weighted by its rows' total darkness."""
    inked = np.pad(darkness > 0.1, ((0, 0), (1, 1)))
    edges = np.diff(inked.astype(np.int8), axis=1)
    longest = np.array([max((np.flatnonzero(e == -1) - np.flatnonzero(e == 1)).tolist(), default=0) for e in edges])
    weight = darkness.sum(axis=1)
    centres, group = [], []
    for i in [*np.flatnonzero(longest >= min_run).tolist(), None]:
        if group and (i is None or i != group[-1] + 1):
            centres.append(float(np.average(group, weights=weight[group])))
            group = []
        if i is not None:
            group.append(i)
    return centres


def curve_pixels(rgb: np.ndarray, color: tuple[int, int, int]) -> np.ndarray:
    """For every pixel, the share of `color` in it (0 where the pixel is not white blended with `color`)."""
    direction = np.array(color, dtype=np.float64) - 255.0
    offset = rgb - 255.0
    share = offset @ direction / (direction @ direction)
    residual = np.linalg.norm(offset - share[..., None] * direction, axis=-1)
    return np.where((share >= MIN_SHARE) & (residual <= MAX_RESIDUAL), np.clip(share, 0.0, 1.0), 0.0)


def digitise(png: Path) -> dict[str, list[tuple[float, float]]]:
    """{curve: [(epoch, NLL-oracle)]} read from the paper's Figure 2 image, one point per pixel column."""
    import matplotlib.image

    image = matplotlib.image.imread(png)
    if image.ndim != 3 or image.shape[2] < 3:
        raise UserError(f"{png} is not an RGB image; expected the paper's Figure 2 (figures/lc.png)")
    rgb = image[..., :3].astype(np.float64) * (255.0 if image.dtype.kind == "f" else 1.0)
    left, right, top, bottom = frame(1.0 - rgb.mean(axis=-1) / 255.0)
    rows = np.arange(rgb.shape[0], dtype=np.float64)
    epochs = EPOCHS[0] + (np.arange(rgb.shape[1]) - left) / (right - left) * (EPOCHS[1] - EPOCHS[0])
    nlls = NLL[1] - (rows - top) / (bottom - top) * (NLL[1] - NLL[0])
    inside = ((nlls > NLL[0]) & (nlls < NLL[1]))[:, None] & ((epochs > EPOCHS[0]) & (epochs < EPOCHS[1]))[None, :]
    legend = (nlls > LEGEND[1])[:, None] & (epochs > LEGEND[0])[None, :]
    curves: dict[str, list[tuple[float, float]]] = {}
    for name, color in COLORS.items():
        share = np.where(inside & ~legend, curve_pixels(rgb, color), 0.0)
        seen = np.flatnonzero(share.sum(axis=0) > 0)
        values = share[:, seen].T @ nlls / share[:, seen].sum(axis=0)
        curves[name] = [(round(float(epochs[c]), 2), round(float(v), 4)) for c, v in zip(seen, values, strict=True)]
    return curves
