"""Plots: republishing unchanged results rewrites byte-identical figure files (no timestamps in them)."""

from __future__ import annotations

from reproduction import plots


def test_drawing_the_same_panels_twice_gives_identical_png_and_pdf(tmp_path):
    panels = {"(a) one": {"NLL-oracle": [(0.0, 10.0, 10.0, 10.0), (1.0, 9.0, 8.9, 9.1), (2.0, 8.5, 8.4, 8.7)]},
              "(b) two": {"NLL-oracle": [(0.0, 10.0, 10.0, 10.0), (1.0, 9.5, 9.5, 9.5), (2.0, 9.4, 9.3, 9.4)]},
              "(c) three": {"NLL-oracle": [(0.0, 10.0, 10.0, 10.0), (2.0, 9.0, 8.0, 9.9)]}}
    for name in ("first", "second"):
        plots.band_panels(panels, tmp_path / name, "title", ylabel="NLL", adversarial_start=1.0, columns=2,
                          formats=("png", "pdf"))
    for fmt in ("png", "pdf"):
        assert (tmp_path / f"first.{fmt}").read_bytes() == (tmp_path / f"second.{fmt}").read_bytes()


def test_a_single_panel_fills_its_row_when_more_columns_are_asked(tmp_path, monkeypatch):
    figures = []
    monkeypatch.setattr(plots.plt, "close", lambda fig: figures.append(fig))  # keep the figure to look at
    panels = {"(c) only": {"NLL-oracle": [(0.0, 10.0, 10.0, 10.0), (1.0, 9.0, 8.9, 9.1)]}}
    plots.band_panels(panels, tmp_path / "one", "title", ylabel="NLL", columns=2)
    axes = figures[-1].get_axes()
    assert len(axes) == 1 and axes[0].get_visible()


def test_a_collapsed_run_is_drawn_at_the_frontiers_edge_with_its_value(tmp_path, monkeypatch):
    saved = []
    monkeypatch.setattr(plots, "_save", lambda fig, path, formats: saved.append(fig))
    curve = [(0.9, 9.4, 8.8), (1.0, 9.0, 9.0), (1.1, 8.7, 9.2)]
    plots.frontier({"MLE": curve}, {"SeqGAN": (9.0, 8.77), "collapsed": (9.25, 4.30)}, tmp_path / "f", "title")
    ax = saved[0].axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["MLE sampled at temperature T", "SeqGAN", "collapsed: NLL-oracle 4.30, off scale"]
    bottom, top = ax.get_ylim()
    assert 8.6 < bottom < 8.77 and 9.2 < top < 9.4  # the curve and the in-range point fill the axis


def test_a_title_longer_than_the_figure_is_wrapped_inside_it(tmp_path, monkeypatch):
    figures = []
    monkeypatch.setattr(plots.plt, "close", lambda fig: figures.append(fig))
    panels = {"(c) only": {"NLL-oracle": [(0.0, 10.0, 10.0, 10.0), (1.0, 9.0, 8.9, 9.1)]}}
    title = "Figure 3: SeqGAN training strategies, original oracle, profile quick " * 4
    plots.band_panels(panels, tmp_path / "long", title, ylabel="NLL")
    fig = figures[-1]
    fig.canvas.draw()
    box = fig._suptitle.get_window_extent()
    assert fig._suptitle.get_text().count("\n") >= 1 and box.x0 >= 0 and box.x1 <= fig.bbox.width


def test_the_trajectories_zoom_holds_every_path_but_a_collapsed_one(tmp_path, monkeypatch):
    saved = []
    monkeypatch.setattr(plots, "_save", lambda fig, path, formats: saved.append(fig))
    paths = {"SeqGAN": [(50, 8.77, 9.02), (60, 8.85, 8.80), (70, 8.94, 8.82)],
             "MLE": [(50, 8.77, 9.02), (70, 8.99, 9.01)],
             "collapsed": [(50, 8.77, 9.02), (60, 8.90, 7.50), (70, 9.18, 5.46)]}
    plots.trajectories(paths, {"MLE at T": [(8.4, 9.5), (9.0, 9.0), (10.6, 8.1)]}, tmp_path / "t", "title")
    whole, zoomed = saved[0].axes
    assert whole.get_ylim()[0] < 5.46 and whole.get_xlim()[1] > 10.6  # everything
    (x0, x1), (y0, y1) = zoomed.get_xlim(), zoomed.get_ylim()
    assert 8.7 < x0 < 8.77 and 8.99 < x1 < 9.05 and 8.7 < y0 < 8.80 and 9.02 < y1 < 9.1  # the two near paths only
