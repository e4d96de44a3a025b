"""Made-up inputs: generated digits and their surroundings, non-examples for outlier exposure, and
the unknown-input sets the checks and model cards are measured against."""
