"""An independent numpy implementation of the single-layer associator and its learning rules
(SCIENCE.md), used as an oracle for the C++ engine: one pair per step, plain numpy."""
import numpy as np

ALPHA = {"leaky_rectifier": 0.01, "exponential_linear": 1.0, "scaled_tanh": 1.7159, "selu": 1.67326}
LAMBDA_SELU = 1.0507


def phi(name, a):
    if name == "linear": return a
    if name == "sigmoid": return 1.0 / (1.0 + np.exp(-a))
    if name == "step": return (a > 0).astype(float)
    if name == "rectifier": return np.maximum(a, 0.0)
    if name == "leaky_rectifier": return np.where(a > 0, a, ALPHA[name] * a)
    if name == "exponential_linear": return np.where(a > 0, a, ALPHA[name] * np.expm1(np.minimum(a, 0)))
    if name == "tanh": return np.tanh(a)
    if name == "scaled_tanh": return ALPHA[name] * np.tanh(a)
    if name == "softplus": return np.logaddexp(0.0, a)
    if name == "selu": return LAMBDA_SELU * np.where(a > 0, a, ALPHA[name] * np.expm1(np.minimum(a, 0)))
    if name == "softmax":
        e = np.exp(a - a.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)
    raise ValueError(name)


def dphi(name, a, h):
    if name == "linear": return np.ones_like(a)
    if name == "sigmoid": return h * (1 - h)
    if name == "step": return np.zeros_like(a)
    if name == "rectifier": return (a > 0).astype(float)
    if name == "leaky_rectifier": return np.where(a > 0, 1.0, ALPHA[name])
    if name == "exponential_linear": return np.where(a > 0, 1.0, ALPHA[name] * np.exp(np.minimum(a, 0)))
    if name == "tanh": return 1 - h * h
    if name == "scaled_tanh": return ALPHA[name] - h * h / ALPHA[name]
    if name == "softplus": return 1.0 / (1.0 + np.exp(-a))
    if name == "selu": return np.where(a > 0, LAMBDA_SELU, LAMBDA_SELU * ALPHA[name] * np.exp(np.minimum(a, 0)))
    raise ValueError(name)


def train(X, T, W0, b0, rule, act, eta, omega=0.0, centering="dataset", learn_bias=True, epochs=1):
    """X: P x n_in, T: P x n_out (one pattern per row). Returns W, b, mu, per-pattern errors."""
    W, b = W0.copy(), b0.copy()
    xbar, tbar = X.mean(axis=0), T.mean(axis=0)
    mu = xbar.copy() if centering == "dataset" else np.zeros(X.shape[1])
    seen = 0
    for _ in range(epochs):
        for x, t in zip(X, T):
            if centering == "running":
                seen += 1
                mu = mu + (x - mu) / seen
            xc = x - mu
            a = W.T @ xc + b
            h = phi(act, a)
            shrink = None
            if rule == "hd":
                u, d, db = xc, t - h, t - h
            elif rule == "gd":
                if act == "softmax":
                    e = t - h
                    d = h * (e - h @ e)
                else:
                    d = (t - h) * dphi(act, a, h)
                u, db = xc, d
            elif rule == "hebb":
                u, d, db = xc, t, t
            elif rule == "cov":
                u, d, db = x - xbar, t - tbar, t - tbar
            elif rule == "oja":
                u, d, db, shrink = xc, t, t - h, t * t
            elif rule == "instar":
                u, d, db, shrink = xc, t, t - h, t
            else:
                raise ValueError(rule)
            c = (1 - omega) - (eta * shrink if shrink is not None else 0.0)
            W = W * c + eta * np.outer(u, d)
            if learn_bias:
                b = b + eta * db
    H = phi(act, W.T @ (X - mu).T + b[:, None])
    errors = np.abs(H - T.T).mean(axis=0)
    return W, b, mu, errors
