"""benchmarks/sklearn_tables.py puts its section into RESULTS.md in place of its last version."""

from __future__ import annotations

from benchmarks.sklearn_tables import SECTION, write


def test_the_section_replaces_its_last_version_and_keeps_the_others(tmp_path):
    out = tmp_path / "RESULTS.md"
    out.write_text(f"# results\n\n## before\n\nkept 1\n\n{SECTION}\n\nold\n\n## after\n\nkept 2\n")
    write([SECTION, "", "new"], out)
    text = out.read_text()
    assert "old" not in text and text.count(SECTION) == 1
    assert text.index("kept 1") < text.index("kept 2") < text.index("new")
    write([SECTION, "", "newer"], out)
    assert out.read_text().count(SECTION) == 1 and "newer" in out.read_text()
