"""Why this answer: attributions (Captum) for pictures and table rows, the published sanity
checks, heatmaps and bar charts. Captum loads only when something is explained."""

from neuroflow.explain.attributions import METHODS, Explanation, explain, explain_arrays

__all__ = ["METHODS", "Explanation", "explain", "explain_arrays"]
