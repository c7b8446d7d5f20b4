"""Fixtures for the reference-model tests: float64 gradient checking by centered differences
(CS231n ``eval_numerical_gradient_array``)."""
from __future__ import annotations

import numpy as np
import pytest

STEP = 1e-5
TOLERANCE = 1e-6


def numerical_gradient(f, x: np.ndarray, dout: np.ndarray | float = 1.0) -> np.ndarray:
    """Return d(sum(f() * dout))/dx by centered differences, perturbing `x` in place."""
    grad = np.zeros_like(x)
    flat_x = x.reshape(-1)
    flat_grad = grad.reshape(-1)
    for i in range(flat_x.size):
        old = flat_x[i]
        flat_x[i] = old + STEP
        plus = np.sum(np.asarray(f()) * dout)
        flat_x[i] = old - STEP
        minus = np.sum(np.asarray(f()) * dout)
        flat_x[i] = old
        flat_grad[i] = (plus - minus) / (2 * STEP)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Return ||a - b|| / (||a|| + ||b||) in the Euclidean norm (0 when both are zero).

    Taken over the whole array rather than elementwise, so that entries near zero, whose
    centered differences carry ~1e-11 of rounding noise, do not dominate.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def assert_gradients(f, inputs: dict, analytic: dict, dout=1.0, tolerance: float = TOLERANCE):
    """Check every analytic gradient against a numerical one; the message names the input."""
    for name, x in inputs.items():
        numeric = numerical_gradient(f, x, dout)
        error = relative_error(numeric, analytic[name])
        assert error <= tolerance, f"gradient of {name}: relative error {error:.2e}"


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed for every test."""
    return np.random.default_rng(0)


@pytest.fixture
def check_gradients():
    """The `assert_gradients` helper."""
    return assert_gradients
