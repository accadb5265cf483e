"""Recomputes an `hds run` result (stored patterns and initial weights) with the numpy oracle and
checks the final weights and forgetting curves agree to 1e-9 relative."""
import sys
import h5py
import numpy as np
import yaml_lite
from engine import train

path = sys.argv[1]
f = h5py.File(path, "r")
cfg = yaml_lite.parse(f["config"].asstr()[()])
R = f["forgetting_curve"].shape[0]
worst = 0.0
for r in range(R):
    X, T = f["patterns/inputs"][r], f["patterns/targets"][r]
    W, b, mu, err = train(X, T, f["weights/W0"][r], f["weights/b0"][r], cfg["rule"], cfg["activation"],
                          float(cfg["eta"]), float(cfg["weight_decay"]), cfg["centering"],
                          cfg["learn_bias"] == "true", int(cfg["epochs"]))
    scale = max(1.0, np.abs(W).max())
    worst = max(worst, np.abs(W - f["weights/W"][r]).max() / scale,
                np.abs(err - f["forgetting_curve"][r]).max(), np.abs(b - f["weights/b"][r]).max() / max(1.0, np.abs(b).max()))
print(f"{path}: {cfg['rule']} {cfg['activation']} centering={cfg['centering']} max relative difference {worst:.2e}")
assert worst < 1e-9, worst
