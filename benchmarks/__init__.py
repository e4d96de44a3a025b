"""Speed and memory of neuroflow against a plain-PyTorch loop, measured in the same run."""
