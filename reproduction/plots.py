"""Figures in the paper's style: NLL-oracle against epochs, a dashed line where adversarial training starts
(paper Figure 2). Every learning-curve figure of the project is drawn here."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from reproduction.io_utils import atomic_write

PAPER_TABLE1 = {"MLE": 9.038, "SeqGAN": 8.736}  # paper Table 1, NLL-oracle
Points = list[tuple[float, float]]
Band = list[tuple[float, float, float, float]]  # (x, value, low, high): e.g. the mean and range across seeds


def learning_curves(curves: dict[str, Points], adversarial_start: float | None, path: Path, title: str,
                    reference: dict[str, float] | None = None, colors: dict[str, str] | None = None,
                    faint: dict[str, Points] | None = None, formats: tuple[str, ...] = ("png",),
                    ylabel: str = "NLL by oracle", marked: dict[str, Points] | None = None) -> None:
    """One line per curve (label -> [(epoch, value)]); optional faint dotted curves (same colours, by label),
    thin curves drawn with a cross at each point (`marked`, each in the legend: e.g. another run's logged
    evaluations), faint horizontal lines for reference values; written as `path` with each suffix in `formats`."""
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for label, points in (marked or {}).items():
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, marker="x", ms=3, linewidth=0.8, alpha=0.7, color=(colors or {}).get(label), label=label)
    _draw(ax, curves, adversarial_start, title, reference, colors or {}, faint or {})
    ax.set_ylabel(ylabel)
    _save(fig, path, formats)


def frontier(curves: dict[str, list[tuple[float, float, float]]], points: dict[str, tuple[float, float]],
             path: Path, title: str) -> None:
    """Quality against coverage: temperature curves {label: [(temperature, NLL-test, NLL-oracle)]} and labelled
    points {label: (NLL-test, NLL-oracle)}; lower-left is better on both axes."""
    fig, ax = plt.subplots(figsize=(10.0, 4.8))
    for (label, curve), color in zip(curves.items(), ("tab:blue", "tab:gray", "tab:olive"), strict=False):
        ax.plot([c[1] for c in curve], [c[2] for c in curve], "-o", color=color, ms=3,
                label=f"{label} sampled at temperature T")
        for t, x, y in curve:
            ax.annotate(f"T={t:g}", (x, y), textcoords="offset points", xytext=(4, 3), fontsize=7, color=color)
    every = [c for curve in curves.values() for c in curve]
    # A point far outside the curve's NLL-oracle range (a collapsed run) is drawn at the edge, its value in the
    # legend, so that it does not squeeze the curve and the other points into a strip.
    low, high = min(c[2] for c in every), max(c[2] for c in every)
    pad = 0.5 * (high - low)
    inside = [y for _, y in points.values() if low - pad <= y <= high + pad]
    bottom, top = min([low, *inside]) - 0.05 * pad, max([high, *inside]) + 0.05 * pad
    for k, (label, (x, y)) in enumerate(points.items()):
        if bottom <= y <= top:
            ax.plot([x], [y], marker="osD^vP*Xh"[k % 9], ls="none", ms=7, label=label)
        else:
            ax.plot([x], [bottom if y < bottom else top], marker="v" if y < bottom else "^", ls="none", ms=9,
                    label=f"{label}: NLL-oracle {y:.2f}, off scale")
    ax.set_ylim(bottom - 0.02 * pad, top + 0.02 * pad)
    ax.set_xlabel("NLL-test (the generator's NLL of held-out oracle data; lower = better coverage)")
    ax.set_ylabel("NLL-oracle (lower = better quality)")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)  # off the points
    _save(fig, path, ("png",))


def piano_roll(melodies: dict[str, list[list[int]]], path: Path, title: str) -> None:
    """Melodies as piano rolls, one row of panels per label: time steps across, piano keys (tokens) up."""
    rows, columns = len(melodies), max(len(v) for v in melodies.values())
    fig, axes = plt.subplots(rows, columns, figsize=(2.2 * columns, 2.0 * rows), squeeze=False, sharey=True)
    for r, (label, tunes) in enumerate(melodies.items()):
        for c, ax in enumerate(axes[r]):
            if c >= len(tunes):
                ax.set_visible(False)
                continue
            ax.step(range(len(tunes[c])), tunes[c], where="post", linewidth=1.5)
            ax.set_title(f"{label} {c + 1}", fontsize=8)
            ax.tick_params(labelsize=6)
        axes[r][0].set_ylabel("key (token)", fontsize=7)
    fig.suptitle(_wrapped(fig, title, 9), fontsize=9)
    _save(fig, path, ("png",))


def band_panels(panels: dict[str, dict[str, Band]], path: Path, title: str, *, ylabel: str,
                xlabel: str = "epochs (MLE epochs, then adversarial batches)",
                adversarial_start: float | None = None, levels: dict[str, float] | None = None,
                styles: dict[str, dict] | None = None, logx: bool = False, columns: int | None = None,
                sharey: bool = True, formats: tuple[str, ...] = ("png",)) -> None:
    """Panels (panel title -> curves), `columns` to a row at most (default: all in one row); each curve (label ->
    [(x, value, low, high)]) is a line with a shaded band from low to high (none where low == high, e.g. one
    seed); `levels` (label -> value) are labelled horizontal lines on every panel (e.g. real data's score);
    `styles` (label -> matplotlib keywords: color, linestyle, marker)."""
    styles = styles or {}
    columns = min(columns or len(panels), len(panels))  # (one panel takes the row, not half of it)
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(6.4 * columns if rows == 1 else 5 * columns, 4.4 * rows),
                             squeeze=False, sharey=sharey)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    for ax, (panel, curves) in zip(axes.flat, panels.items(), strict=False):
        for label, points in curves.items():
            xs, ys, lows, highs = zip(*points, strict=True)
            style = {"linewidth": 1.6, **styles.get(label, {})}
            line, = ax.plot(xs, ys, label=label, **style)
            ax.fill_between(xs, lows, highs, color=line.get_color(), alpha=0.2, linewidth=0)
        for label, value in (levels or {}).items():
            ax.axhline(value, label=label, linewidth=1.2, **{"color": "black", "linestyle": ":",
                                                             **styles.get(label, {})})
        if adversarial_start is not None:
            ax.axvline(adversarial_start, color="black", linestyle="--", linewidth=1)
        if logx:  # ticks at the curves' x values, written out (250, 500, ...), not as powers of ten
            ax.set_xscale("log")
            ticks = sorted({p[0] for points in curves.values() for p in points})
            ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
            ax.minorticks_off()
        ax.set_xlabel(xlabel)
        ax.set_title(panel, fontsize=9)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    for row in axes:
        row[0].set_ylabel(ylabel)
    fig.suptitle(_wrapped(fig, title, 10), fontsize=10)
    _save(fig, path, formats)


def _wrapped(fig: plt.Figure, title: str, fontsize: float) -> str:
    """`title` broken into lines that fit the figure's width (a character is about half the font size wide)."""
    return "\n".join(textwrap.wrap(title, width=max(20, int(fig.get_figwidth() * 72 / (0.55 * fontsize)))))


def _draw(ax: plt.Axes, curves: dict[str, Points], adversarial_start: float | None, title: str,
          reference: dict[str, float] | None, colors: dict[str, str], faint: dict[str, Points],
          ylabel: str = "NLL by oracle") -> None:
    for label, points in curves.items():
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, label=label, linewidth=1.6, color=colors.get(label))
    for label, points in faint.items():
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, color=colors.get(label), alpha=0.3, linewidth=1.0, linestyle=":")
    for label, value in (reference or {}).items():
        ax.axhline(value, color="grey", alpha=0.5, linewidth=0.8, linestyle=":")
        ax.annotate(f"paper {label} {value}", (ax.get_xlim()[0], value), fontsize=7, color="grey",
                    xytext=(4, 2), textcoords="offset points")
    if adversarial_start is not None:
        ax.axvline(adversarial_start, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel("epochs (MLE epochs, then adversarial batches)")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)


ZOOM_NATS = 1.0  # the trajectories' zoomed panel: paths that stay this close to their start in NLL-oracle


def trajectories(paths: dict[str, list[tuple[float, float, float]]],
                 curves: dict[str, list[tuple[float, float]]], path: Path, title: str) -> None:
    """Paths {label: [(x, NLL-test, NLL-oracle)]} on the quality-coverage plane, each ending in a marker, beside
    temperature curves {label: [(NLL-test, NLL-oracle)]}; lower-left is better on both axes. Two panels: the whole
    plane, and the same zoomed onto the paths that stay within ZOOM_NATS of their start in NLL-oracle (a collapsed
    run, such as PG-BLEU as the paper describes it, would otherwise squeeze every other path into a corner)."""
    fig, axes = plt.subplots(1, 2, figsize=(15.0, 4.8))
    for ax in axes:
        for (label, curve), style in zip(curves.items(), ("--", ":"), strict=False):
            ax.plot([c[0] for c in curve], [c[1] for c in curve], style, color="black", lw=1,
                    label=f"{label} sampled at temperatures 0.7-1.3")
        for k, (label, p) in enumerate(paths.items()):
            color = f"C{k % 10}"
            ax.plot([q[1] for q in p], [q[2] for q in p], "-", lw=1.2, color=color, label=label)
            ax.plot([p[-1][1]], [p[-1][2]], marker="osD^vP*Xh"[k % 9], color=color, ms=7, ls="none")
        ax.set_xlabel("NLL-test (lower = better coverage)")
        ax.set_ylabel("NLL-oracle (lower = better quality)")
        ax.grid(alpha=0.3)
    near = [q for p in paths.values() if max(abs(q[2] - p[0][2]) for q in p) <= ZOOM_NATS for q in p]
    if near:
        (x0, x1), (y0, y1) = ((min(v), max(v)) for v in zip(*[(q[1], q[2]) for q in near], strict=True))
        mx, my = 0.08 * (x1 - x0 or 1.0), 0.08 * (y1 - y0 or 1.0)
        axes[1].set_xlim(x0 - mx, x1 + mx)
        axes[1].set_ylim(y0 - my, y1 + my)
    axes[0].set_title(title, fontsize=9)
    axes[1].set_title(f"zoomed: the paths that stay within {ZOOM_NATS:g} nat of their start", fontsize=9)
    axes[1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    _save(fig, path, ("png",))


def _save(fig: plt.Figure, path: Path, formats: tuple[str, ...]) -> None:
    fig.tight_layout()
    for fmt in formats:
        # no creation date in PDFs, so republishing unchanged results leaves the files byte-identical
        metadata = {"CreationDate": None} if fmt == "pdf" else None
        atomic_write(path.with_suffix(f".{fmt}"),
                     lambda p, f=fmt, m=metadata: fig.savefig(p, format=f, dpi=150, metadata=m))
    plt.close(fig)


Curve3 = list[tuple[float, float, float]]  # (temperature, x, y)


def planes(panels: dict[str, tuple[dict[str, Curve3], dict[str, tuple[float, float]]]], path: Path, title: str, *,
           xlabel: str, ylabel: str) -> None:
    """Side-by-side panels of one plane (e.g. BLEU-5 against Self-BLEU-5 under two protocols), each with
    temperature curves {label: [(T, x, y)]} (every T annotated) and labelled points {label: (x, y)}; one colour
    per label across panels."""
    fig, axes = plt.subplots(1, len(panels), figsize=(5.4 * len(panels) + 2.6, 4.6), squeeze=False)
    labels = list(dict.fromkeys(k for curves, points in panels.values() for k in (*curves, *points)))
    colors = {label: f"C{k % 10}" for k, label in enumerate(labels)}
    for ax, (name, (curves, points)) in zip(axes[0], panels.items(), strict=True):
        for label, curve in curves.items():
            ax.plot([c[1] for c in curve], [c[2] for c in curve], "-o", ms=3, color=colors[label],
                    label=f"{label} at temperature T")
            for t, x, y in curve:
                ax.annotate(f"{t:g}", (x, y), textcoords="offset points", xytext=(3, 3), fontsize=6,
                            color=colors[label])
        for k, (label, (x, y)) in enumerate(points.items()):
            ax.plot([x], [y], marker="sD^vP*Xh"[k % 8], ls="none", ms=7, color=colors[label], label=label)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    handles = {h.get_label(): h for ax in axes[0] for h in ax.get_legend_handles_labels()[0]}
    axes[0][-1].legend(list(handles.values()), list(handles), fontsize=7, loc="upper left",
                       bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    fig.suptitle(_wrapped(fig, title, 10), fontsize=10)
    _save(fig, path, ("png",))
