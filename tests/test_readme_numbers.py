"""The README's tables quote results/, they hold no numbers of their own: every number with three decimals in a
README table is written, or rounds to one written, in a results file that the table's rows or the paragraph
just above it link to. A republished result that the README was not brought up to date with fails here, as does
a table typed from a script's output that no command publishes."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\((results/[^)#\s]+\.md)\)")
NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?:e[-+]\d+)?(?![\w.])")  # (p-values are written 2.0e-02)
THREE_DECIMALS = re.compile(r"(?<![\w.])-?\d+\.\d{3}(?![\w.\d])")


def readme_tables(text: str) -> list[tuple[int, list[str], str]]:
    """(first line number, linked results files, the table's text) of each table: its rows and the paragraph
    right above it."""
    lines, found, i = text.splitlines(), [], 0
    while i < len(lines):
        if not lines[i].startswith("|"):
            i += 1
            continue
        end = i
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        start = i - 1
        while start > 0 and not lines[start].strip():
            start -= 1
        while start > 0 and lines[start - 1].strip():
            start -= 1
        context, table = "\n".join(lines[start:i]), "\n".join(lines[i:end])
        found.append((i + 1, LINK.findall(context + "\n" + table), table))
        i = end
    return found


def roundings(text: str) -> set[str]:
    """Every number of `text` as written and rounded to three decimals (2.0e-02: 0.020)."""
    out = set()
    for number in NUMBER.findall(text):
        out.add(number)
        out.add(f"{float(number):.3f}")
    return out


def test_every_three_decimal_number_in_a_readme_table_is_in_the_results_file_it_links():
    tables = readme_tables((ROOT / "README.md").read_text())
    assert len([t for t in tables if THREE_DECIMALS.search(t[2])]) >= 4  # Table 1, paper, real world, COCO
    for line, links, table in tables:
        numbers = set(THREE_DECIMALS.findall(table))
        if not numbers:
            continue
        assert links, f"README.md:{line}: a table of results that links no results file"
        quoted = set().union(*(roundings((ROOT / link).read_text()) for link in links))
        missing = sorted(numbers - quoted)
        assert not missing, f"README.md:{line}: {missing} are in none of {links}: republish, then copy the numbers"


def test_the_check_finds_a_number_the_linked_file_does_not_hold(tmp_path):
    results = "Results ([table](results/x.md)):\n\n| row | value |\n|---|---|\n| a | 0.410 ± 0.015 |\n| b | 8.123 |\n"
    (line, links, table), = readme_tables(results)
    assert line == 3 and links == ["results/x.md"]
    held = roundings("| a | 0.4099 ± 1.5e-02 |\n| b | 8.1224 |")
    assert set(THREE_DECIMALS.findall(table)) - held == {"8.123"}  # 0.410 and 0.015 are roundings of what it holds
