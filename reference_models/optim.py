"""First-order optimisers and gradient clipping for dicts of parameter arrays.

Every optimiser updates ``params[name]`` in place from ``grads[name]`` and keeps its own
per-parameter state (velocity, moment estimates, caches) keyed by the same names, as in
min-char-rnn's zipped (param, grad, memory) loop.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from capeval.reference_models import OPTIMIZERS


class Optimizer(ABC):
    """Base class; `learning_rate` may be changed between steps (learning-rate decay)."""

    def __init__(self, learning_rate: float) -> None:
        if learning_rate <= 0:
            raise ValueError(f"learning_rate must be positive, got {learning_rate}")
        self.learning_rate = learning_rate
        self.state: dict[str, tuple[np.ndarray, ...]] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every parameter in place from its gradient."""
        for name, param in params.items():
            if name not in self.state:
                self.state[name] = tuple(np.zeros_like(param) for _ in range(self.n_buffers))
            self._update(param, grads[name], self.state[name])

    n_buffers: int = 0

    @abstractmethod
    def _update(self, param: np.ndarray, grad: np.ndarray, buffers: tuple) -> None:
        """Update one parameter in place."""


class Sgd(Optimizer):
    """SGD with (heavy-ball) momentum: ``v = momentum * v - lr * g; p += v``."""

    n_buffers = 1

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(learning_rate)
        self.momentum = momentum

    def _update(self, param, grad, buffers):
        (velocity,) = buffers
        velocity *= self.momentum
        velocity -= self.learning_rate * grad
        param += velocity


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015) with bias-corrected moment estimates."""

    n_buffers = 2

    def __init__(self, learning_rate: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        super().__init__(learning_rate)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        super().step(params, grads)

    def _update(self, param, grad, buffers):
        m, v = buffers
        m *= self.beta1
        m += (1 - self.beta1) * grad
        v *= self.beta2
        v += (1 - self.beta2) * grad * grad
        rate = self.learning_rate * np.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        param -= rate * m / (np.sqrt(v) + self.eps)


class RmsProp(Optimizer):
    """RMSProp: divide by a running root mean square of the gradient."""

    n_buffers = 1

    def __init__(self, learning_rate: float = 1e-3, decay: float = 0.99, eps: float = 1e-8):
        super().__init__(learning_rate)
        self.decay, self.eps = decay, eps

    def _update(self, param, grad, buffers):
        (cache,) = buffers
        cache *= self.decay
        cache += (1 - self.decay) * grad * grad
        param -= self.learning_rate * grad / (np.sqrt(cache) + self.eps)


class Adagrad(Optimizer):
    """Adagrad: divide by the root of the summed squared gradients (min-char-rnn's update)."""

    n_buffers = 1

    def __init__(self, learning_rate: float = 0.1, eps: float = 1e-8) -> None:
        super().__init__(learning_rate)
        self.eps = eps

    def _update(self, param, grad, buffers):
        (memory,) = buffers
        memory += grad * grad
        param -= self.learning_rate * grad / np.sqrt(memory + self.eps)



def make_optimizer(name: str, learning_rate: float) -> Optimizer:
    """Return the optimiser registered under `name` with default settings besides the rate."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")
    optimizer: type[Optimizer] = globals()[OPTIMIZERS[name]]  # a class of this module
    return optimizer(learning_rate=learning_rate)


def clip_by_norm(grads: dict[str, np.ndarray], max_norm: float) -> float:
    """Scale all gradients in place so that their joint L2 norm is at most `max_norm`.

    Returns the norm before clipping.
    """
    norm = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return norm


def clip_elementwise(grads: dict[str, np.ndarray], limit: float) -> None:
    """Clip every gradient entry into [-limit, limit] in place."""
    for g in grads.values():
        np.clip(g, -limit, limit, out=g)
