"""The learning-rate range test: the suggestion lies where the loss falls fastest."""

from __future__ import annotations

import keras
import numpy as np

from models import fitting, lr_finder


def test_steepest_descent_on_a_known_curve():
    # loss = 1 - tanh(log10(lr) + 3): falls fastest at lr = 1e-3, bottoms out, then explodes.
    rates = list(np.logspace(-6, 0, 120))
    losses = [1 - np.tanh(np.log10(r) + 3) + (50 * (r - 0.1) ** 2 if r > 0.1 else 0) for r in rates]
    suggestion = lr_finder.steepest_descent(rates, losses)
    assert 10**-3.3 < suggestion < 10**-2.7


def tiny_problem(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (n, 8)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("int32")
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(2, activation="softmax")], name="logistic"
    )
    fitting.compile_model(model, 1e-3)
    return model, x, y


def test_range_test_on_a_tiny_problem_suggests_where_the_loss_falls_fastest():
    model, x, y = tiny_problem()
    before = [w.copy() for w in model.get_weights()]

    def batches():
        return ((x[i : i + 32], y[i : i + 32]) for i in range(0, len(x), 32))

    result = lr_finder.range_test(model, batches, start=1e-5, end=10.0, steps=100)
    # The weights are put back: the test leaves no trace.
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    rates, losses = np.array(result.rates), np.array(result.losses)
    lowest = int(np.argmin(losses))
    assert result.rates[0] < result.suggestion < result.rates[lowest]

    # Per decade of learning rate, the loss falls at the suggestion at least 70% as fast as
    # anywhere else before the minimum (slopes measured over half a decade).
    def slope(at):
        i0 = np.searchsorted(rates, at / 10**0.25)
        i1 = min(np.searchsorted(rates, at * 10**0.25), len(rates) - 1)
        return (losses[i1] - losses[i0]) / (np.log10(rates[i1]) - np.log10(rates[i0]))

    grid = rates[(rates > rates[0] * 10**0.25) & (rates < rates[lowest] / 10**0.25)]
    steepest = min(slope(r) for r in grid)
    assert steepest < 0 and slope(result.suggestion) <= 0.7 * steepest

    # And it is a good rate: 4 epochs at it beat 4 epochs at a hundredth of it.
    def loss_after(rate):
        m, _, _ = tiny_problem()
        fitting.compile_model(m, rate)
        m.fit(x, y, batch_size=32, epochs=4, verbose=0)
        return m.evaluate(x, y, verbose=0)[0]

    assert loss_after(result.suggestion) < loss_after(result.suggestion / 100)


def test_range_test_stops_when_the_loss_blows_up():
    model, x, y = tiny_problem()
    result = lr_finder.range_test(
        model, lambda: [(x, y)], start=1e-3, end=1e6, steps=200, blow_up=2.0
    )
    assert len(result.rates) < 200
