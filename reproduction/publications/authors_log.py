"""The authors' own SeqGAN run as data: `save/experiment-log.txt` of LantaoYu/SeqGAN (fetched and sha256-checked
like every public file), the NLL-oracle their code logged on the same oracle as our `original` one, every 5 of
its 120 MLE epochs and then every 5 adversarial batches (g-steps 1, d-steps 5, k 3: the paper's schedule).

Their code logs MLE epoch e after e + 1 epochs of training and adversarial batch b after b + 1 generator
updates, and so does ours (training/driver.py), with adversarial batch b at x = MLE epochs + b; the authors'
points therefore sit at x = e and x = 120 + b, and on a run with another MLE length they are shifted by the
difference, as the paper's curves are in Figure 2. `compare` sets a run of ours beside theirs at the
evaluations both have.
"""

from __future__ import annotations

from pathlib import Path

from reproduction.errors import UserError

MLE_EPOCHS = 120  # PRE_EPOCH_NUM of the authors' sequence_gan.py
Points = list[tuple[float, float]]


def parse(path: Path) -> dict[str, Points]:
    """{"mle": [(x, NLL-oracle)], "adversarial": [(x, NLL-oracle)]} from the authors' log; x as in our runs'
    metrics.csv (MLE epoch, then 120 + adversarial batch)."""
    curves: dict[str, Points] = {"mle": [], "adversarial": []}
    phase = None
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if line.strip() in ("pre-training...", "adversarial training..."):
            phase = "mle" if line.startswith("pre") else "adversarial"
            continue
        try:
            if phase is None or len(fields) != 4 or fields[0] != "epoch:" or fields[2] != "nll:":
                raise ValueError
            step, nll = int(fields[1]), float(fields[3])
        except ValueError:
            raise UserError(f"{path}, line {number}: expected 'epoch: N nll: V' after 'pre-training...' or "
                            f"'adversarial training...', got {line!r}; is it the authors' save/experiment-log.txt?"
                            ) from None
        curves[phase].append((float(step + (MLE_EPOCHS if phase == "adversarial" else 0)), nll))
    if not curves["mle"] or not curves["adversarial"]:
        raise UserError(f"{path}: no MLE or no adversarial evaluations; is it the authors' save/experiment-log.txt?")
    return curves


def load(mirror: str | Path | None = None) -> dict[str, Points]:
    """The authors' log, fetched (or read from `mirror`) and parsed."""
    from reproduction.datasets import download

    return parse(download.fetch("experiment_log", mirror))


def shifted(authors: dict[str, Points], mle_epochs: int) -> Points:
    """The authors' whole run (MLE, then adversarial) with its adversarial start moved to `mle_epochs`; the MLE
    part is kept only where it fits before it."""
    shift = mle_epochs - MLE_EPOCHS
    return [(x, y) for x, y in authors["mle"] if x < mle_epochs] + [(x + shift, y) for x, y in authors["adversarial"]]


def compare(ours: Points, authors: dict[str, Points], mle_epochs: int) -> list[dict[str, float | str]]:
    """One row per adversarial evaluation of the authors' that our run also has (same batch): the batch, their
    NLL-oracle, ours, and ours minus theirs; first a row for the end of MLE (their last MLE evaluation, epoch 115,
    against ours at the same epoch, or our last MLE evaluation if our MLE is shorter)."""
    logged = dict(ours)
    rows: list[dict[str, float | str]] = []
    mle_ours = [(x, y) for x, y in ours if x < mle_epochs]
    if mle_ours:
        (epoch, theirs), (own_epoch, mine) = authors["mle"][-1], mle_ours[-1]
        if epoch in logged:
            own_epoch, mine = epoch, logged[epoch]
        point = f"MLE epoch {epoch:.0f}" + ("" if own_epoch == epoch else f" (ours: epoch {own_epoch:.0f}, our last)")
        rows.append({"point": point, "authors": theirs, "ours": mine, "difference": mine - theirs})
    for x, theirs in authors["adversarial"]:
        batch = int(x) - MLE_EPOCHS
        if (mine_at := logged.get(float(mle_epochs + batch))) is not None:
            rows.append({"point": f"batch {batch}", "authors": theirs, "ours": mine_at, "difference": mine_at - theirs})
    return rows


def markdown(rows: list[dict[str, float | str]]) -> list[str]:
    """`compare`'s rows as a Markdown table (lines)."""
    lines = ["| point | authors' run | ours | ours - authors' |", "|---|---|---|---|"]
    lines += [f"| {r['point']} | {r['authors']:.3f} | {r['ours']:.3f} | {r['difference']:+.3f} |" for r in rows]
    return lines
