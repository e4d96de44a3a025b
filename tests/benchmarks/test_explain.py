from benchmarks.explain import SECTION, lines, write_section

CASCADE = ["Dense (layer 7)", "Conv2D (layer 1)"]
ROWS = [
    {"method": "integrated-gradients", "ms_per_input": 30.0, "spearman_size": 0.99,
     "spearman_sign": 0.01, "spearman_size_changed": 0.4, "deletion": 1.0, "gap_max": 0.016,
     "gap_median": 0.001, "cascade_size": list(zip(CASCADE, [0.995, 0.99], strict=True)),
     "cascade_sign": list(zip(CASCADE, [0.31, 0.01], strict=True))},
    {"method": "gradcam", "ms_per_input": 5.0, "spearman_size": 0.2, "spearman_sign": 0.2,
     "spearman_size_changed": -0.03, "deletion": 0.8, "gap_max": None, "gap_median": None,
     "cascade_size": list(zip(CASCADE, [0.5, 0.2], strict=True))},
]  # fmt: skip
WHERE = {"test_accuracy": 0.99, "cores": 2, "load": 1.0}


def test_a_row_per_method_marks_each_check_against_its_bar():
    text = lines(ROWS, WHERE)
    rows = [line for line in text if line.startswith(("| integrated", "| gradcam"))]
    assert rows == [
        "| integrated-gradients | 30.0 | 0.990, fail | 0.010, pass | 0.400 | 100.0%, pass | "
        "1.60% (0.10%), pass |",
        "| gradcam | 5.0 | 0.200, pass | 0.200, pass | -0.030 | 80.0%, fail | — |",
        "| integrated-gradients, by size | 0.995 | 0.990 |",
        "| integrated-gradients, by sign | 0.310 | 0.010 |",
        "| gradcam, by size | 0.500 | 0.200 |",
    ]
    assert "| method, ranked | down to Dense (layer 7) | down to Conv2D (layer 1) |" in text


def test_the_section_replaces_its_old_self_and_keeps_the_others(tmp_path):
    out = tmp_path / "RESULTS.md"
    out.write_text(f"# results\n\n## Before\n\nkept\n\n{SECTION}\n\nold\n\n## After\n\nkept too\n")
    write_section(out, lines(ROWS, WHERE))
    text = out.read_text()
    assert text.count(SECTION) == 1 and "old" not in text
    assert "## Before\n\nkept" in text and "## After\n\nkept too" in text
