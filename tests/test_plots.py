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
