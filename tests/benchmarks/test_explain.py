from benchmarks.explain import SECTION, lines, write_section

ROWS = [
    {"method": "integrated-gradients", "ms_per_input": 30.0, "spearman_size": 0.99,
     "spearman_sign": 0.01, "deletion": 1.0, "gap_max": 0.016, "gap_median": 0.001},
    {"method": "gradcam", "ms_per_input": 5.0, "spearman_size": 0.2, "spearman_sign": 0.2,
     "deletion": 0.8, "gap_max": None, "gap_median": None},
]  # fmt: skip
WHERE = {"test_accuracy": 0.99, "cores": 2, "load": 1.0}


def test_a_row_per_method_marks_each_check_against_its_bar():
    text = lines(ROWS, WHERE)
    rows = [line for line in text if line.startswith(("| integrated", "| gradcam"))]
    assert rows == [
        "| integrated-gradients | 30.0 | 0.990, fail | 0.010 | 100.0%, pass | "
        "1.60% (0.10%), pass |",
        "| gradcam | 5.0 | 0.200, pass | 0.200 | 80.0%, fail | — |",
    ]


def test_the_section_replaces_its_old_self_and_keeps_the_others(tmp_path):
    out = tmp_path / "RESULTS.md"
    out.write_text(f"# results\n\n## Before\n\nkept\n\n{SECTION}\n\nold\n\n## After\n\nkept too\n")
    write_section(out, lines(ROWS, WHERE))
    text = out.read_text()
    assert text.count(SECTION) == 1 and "old" not in text
    assert "## Before\n\nkept" in text and "## After\n\nkept too" in text
