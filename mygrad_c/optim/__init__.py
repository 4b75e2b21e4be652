"""Optimizers: update a model's parameters from their gradients.

After ``loss.backward()`` every parameter tensor holds ``param.grad``; an
optimizer's ``step()`` changes ``param.data`` in place using those gradients,
and ``zero_grad()`` clears them.  This is the loop MyGrad users otherwise write
by hand::

    opt = SGD(params, lr=0.1, momentum=0.9)
    for x, y in batches:
        loss = model(x, y)
        loss.backward()
        opt.step()
        opt.zero_grad()

The update rules are those documented for ``torch.optim.SGD`` and
``torch.optim.Adam``, so results match PyTorch's step for step.

Examples
--------
>>> import mygrad_c as mg
>>> from mygrad_c.optim import SGD
>>> w = mg.tensor([1.0, 2.0])
>>> opt = SGD([w], lr=0.1)
>>> (w ** 2).sum().backward()   # grad = 2 * w
>>> opt.step()
>>> w
Tensor([0.8, 1.6])
"""
from mygrad_c.optim.adam import Adam
from mygrad_c.optim.optimizer import Optimizer
from mygrad_c.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam"]
