"""Differentiable backward rules: the nnet activations, losses and layers (batchnorm,
conv_nd, max_pool, gru).

Fused operations (one op for a whole formula, e.g. ``focal_loss``) get a
*composite* rule: the forward formula written again with tensor operations, and
its vector-Jacobian product taken through that expression by the same walk
(``composite_vjp``).  Each input counts as an independent variable there, so the
result is the partial derivative the op's ``backward_var`` computes.
"""
from __future__ import annotations

import numpy as np

import mygrad_c as mg
from mygrad_c.autodiff._core import cast, const, graph_gradients, linear_map, vjp_rule
from mygrad_c.nnet.layers.conv import ConvND
from mygrad_c.nnet.layers.gru import GRUnit
from mygrad_c.nnet.layers.pooling import MaxPoolND
from mygrad_c.operation_base import Operation
from mygrad_c.nnet.activations import elementwise as act
from mygrad_c.nnet.activations.softmax import LogSoftmax, Softmax
from mygrad_c.nnet.layers.batchnorm import BatchNorm
from mygrad_c.nnet.losses.crossentropy import NegativeLogLikelihood, SoftmaxCrossEntropy
from mygrad_c.nnet.losses.focal import FocalLoss, SoftmaxFocalLoss
from mygrad_c.nnet.losses.margin import MarginRanking, MulticlassHinge


def composite_vjp(op, grad, indices, expression) -> list:
    """dL/d(input i) for each i of ``indices``, through ``expression(*op.variables)``: the op's
    forward formula written with tensor operations (inputs taken as independent variables).
    Rules using it are registered with ``all_inputs=True``: one expression serves every input."""
    inputs = op.variables
    y = expression(*inputs)
    return graph_gradients([y], [grad], [inputs[i] for i in indices], stop_at=inputs)


# ---------------------------------------------------------------------------
# activations                                           d/dx . grad
# ---------------------------------------------------------------------------
def _data_masked(op, out, grad, index):
    """Piecewise-linear activations: ``backward_var`` multiplies ``grad`` by constant masks."""
    return op.backward_var(grad, index)


vjp_rule(act.LeakyReLU, act.HardTanh)(_data_masked)


@vjp_rule(act.ReLu)                                     # (x > 0)
def _relu(op, out, grad, index):
    return grad * (op.variables[0].data > 0)


@vjp_rule(act.ELU)                                      # alpha e**x (x < 0), 1
def _elu(op, out, grad, index):
    neg = op.variables[0].data < 0
    return grad * mg.where(neg, out + const(op.alpha, out), const(1, out))


@vjp_rule(act.SELU)                                     # scale alpha e**x (x < 0), scale
def _selu(op, out, grad, index):
    neg = op.variables[0].data < 0
    return grad * mg.where(neg, out + const(act._SELU_SCALE * act._SELU_ALPHA, out), const(act._SELU_SCALE, out))


@vjp_rule(act.Sigmoid)                                  # f (1 - f)
def _sigmoid(op, out, grad, index):
    return grad * (out * (const(1, out) - out))


@vjp_rule(act.Tanh)                                     # 1 - f**2
def _tanh(op, out, grad, index):
    return grad * (const(1, out) - out ** 2)


@vjp_rule(act.SoftSign)                                 # 1 / (1 + |x|)**2
def _softsign(op, out, grad, index):
    x = op.variables[0]
    return grad / (1 + mg.abs(cast(x, np.float64))) ** 2


@vjp_rule(Softmax)                                      # f (g - sum(g f))
def _softmax(op, out, grad, index):
    gy = grad * out
    return gy - out * mg.sum(gy, axis=op.axis, keepdims=True)


@vjp_rule(LogSoftmax)                                   # g - softmax sum(g)
def _log_softmax(op, out, grad, index):
    return grad - mg.exp(out) * mg.sum(grad, axis=op.axis, keepdims=True)


# ---------------------------------------------------------------------------
# losses
# ---------------------------------------------------------------------------
@vjp_rule(SoftmaxCrossEntropy)                          # (softmax(x) - onehot(y)) / N
def _softmax_crossentropy(op, out, grad, index):
    x = op.variables[0]
    n = x.shape[0]
    onehot = np.zeros(x.shape, dtype=op.logp.dtype)
    onehot[op.rows, op.y] = 1
    p = mg.nnet.softmax(x if x.dtype == op.logp.dtype else cast(x, op.logp.dtype), axis=1)
    return (p - onehot) * (grad * const(1 / n, grad))


@vjp_rule(NegativeLogLikelihood, MarginRanking, MulticlassHinge)
def _scalar_loss_const_jacobian(op, out, grad, index):
    """Scalar losses whose derivative is constant (NLL) or piecewise constant (hinges):
    grad times the engine's gradient for a unit output gradient."""
    return grad * op.backward_var(np.ones((), dtype=out.dtype), index)


@vjp_rule(FocalLoss, all_inputs=True)                 # -alpha (1 - p_t)**gamma log p_t
def _focal(op, out, grad, indices):
    def focal(p):
        pt = p[op.rows, op.y]
        q = mg.maximum(const(1, pt) - pt, const(0, pt))
        return -(const(op.alpha, pt) * (q ** const(op.gamma, pt) * mg.log(pt)))

    return composite_vjp(op, grad, indices, focal)


@vjp_rule(SoftmaxFocalLoss, all_inputs=True)          # focal loss of softmax(x)
def _softmax_focal(op, out, grad, indices):
    def softmax_focal(x):
        if x.dtype.kind != "f":
            x = cast(x, np.float64)
        logpt = mg.nnet.logsoftmax(x, axis=1)[op.rows, op.y]
        q = -mg.expm1(logpt)
        return -(const(op.alpha, q) * (q ** const(op.gamma, q) * logpt))

    return composite_vjp(op, grad, indices, softmax_focal)


# ---------------------------------------------------------------------------
# layers
# ---------------------------------------------------------------------------
@vjp_rule(BatchNorm, all_inputs=True)                 # gamma (x - mean) / sqrt(var + eps) + beta
def _batchnorm(op, out, grad, indices):
    def batchnorm(x, *params):
        mean = mg.mean(x, axis=op._axes, keepdims=True)
        var = mg.var(x, axis=op._axes, keepdims=True)
        y = (x - mean) / mg.sqrt(var + op._eps)
        if op._gamma_index is not None:
            y = y * mg.reshape(params[0], op._keep)
        if op._beta_index is not None:
            y = y + mg.reshape(params[-1], op._keep)
        return y

    return composite_vjp(op, grad, indices, batchnorm)


# ---------------------------------------------------------------------------
# convolution and pooling
# ---------------------------------------------------------------------------
# conv_nd is bilinear in (x, w): its gradient for x, B_x(grad, w), is linear in grad
# and in w, and so is its gradient for w, B_w(grad, x).  Differentiating them gives
# the convolution itself and the other gradient:
#   d<B_x(g, w), u>/dg = conv(u, w)      d<B_x(g, w), u>/dw = B_w(g, u)
#   d<B_w(g, x), u>/dg = conv(x, u)      d<B_w(g, x), u>/dx = B_x(g, u)
def _geometry(op) -> dict:
    return dict(stride=op.stride, padding=op.padding, dilation=op.dilation, grid=op.grid)


def _conv(x, w, geometry):
    return mg.execute_op(ConvND, x, w, op_kwargs=geometry)


def _conv_gradient(x_data, w_data, grad, index, geometry) -> np.ndarray:
    """The engine's gradient of conv(x, w) for input ``index`` (only the other operand's values
    and this one's shape matter)."""
    from mygrad_c.tensor_base import Tensor

    op = ConvND()
    op(Tensor(x_data, constant=True, copy=False), Tensor(w_data, constant=True, copy=False), **geometry)
    return op.backward_var(grad, index)


class ConvGradient(Operation):
    """f(g, other) = the gradient of conv_nd for ``x`` (index 0: other = w) or ``w`` (index 1:
    other = x), given the output gradient g."""

    def __call__(self, g, other, index, shape, geometry):
        self.variables = (g, other)
        self.index, self.shape, self.geometry = index, shape, geometry
        zeros = np.zeros(shape, dtype=other.dtype)
        x, w = (zeros, other.data) if index == 0 else (other.data, zeros)
        return np.asarray(_conv_gradient(x, w, g.data, index, geometry))

    def backward_var(self, grad, index, **kwargs):
        g, other = self.variables
        if index == 0:   # the convolution of grad with the other operand, in this one's place
            x, w = (grad, other.data) if self.index == 0 else (other.data, grad)
            return _conv_forward(x, w, self.geometry)
        # the gradient for the other operand, with grad in this one's place
        x, w = (grad, other.data) if self.index == 0 else (other.data, grad)
        return _conv_gradient(x, w, g.data, 1 - self.index, self.geometry)


def _conv_forward(x, w, geometry) -> np.ndarray:
    from mygrad_c.tensor_base import Tensor

    return ConvND()(Tensor(x, constant=True, copy=False), Tensor(w, constant=True, copy=False), **geometry)


def conv_gradient(g, other, index, shape, geometry):
    return mg.execute_op(ConvGradient, g, other, op_args=(index, shape, geometry))


@vjp_rule(ConvND)                                       # conv(x, w): B_x(g, w), B_w(g, x)
def _conv_nd(op, out, grad, index):
    x, w = op.variables
    other = w if index == 0 else x
    return conv_gradient(grad, other, index, op.variables[index].shape, _geometry(op))


@vjp_rule(ConvGradient)
def _conv_gradient_vjp(op, out, grad, index):
    g, other = op.variables
    if index == 0:
        x, w = (grad, other) if op.index == 0 else (other, grad)
        return _conv(x, w, op.geometry)
    # the gradient for the other operand, with grad in this one's place
    return conv_gradient(g, grad, 1 - op.index, other.shape, op.geometry)


@vjp_rule(MaxPoolND)                                      # grad routed to each window's maximum
def _max_pool(op, out, grad, index):
    winners = op.winners()

    def gather(u):   # the adjoint: read u at each window's maximum
        flat = np.reshape(u, (winners.shape[0], -1))
        return np.take_along_axis(flat, winners, axis=1).reshape(out.shape)

    return linear_map(grad, lambda a: op.backward_var(a, 0), gather)


@vjp_rule(GRUnit, all_inputs=True)                      # the recurrence, step by step
def _gru(op, out, grad, indices):
    T = op._z.shape[0]
    if 0 <= op.bp_lim < T - 1:   # (bp_lim >= T - 1: full back-propagation through time)
        raise NotImplementedError(
            "GRUnit: the differentiable backward rule does not truncate back-propagation (bp_lim)")
    dt = op._s.dtype
    D = op._z.shape[2]

    def gru(*params):
        X, Uz, Wz, bz, Ur, Wr, br, Uh, Wh, bh = (cast(p, dt) for p in params)
        mU = (None,) * 3
        if op._mW is not None:   # the dropout masks drawn by the forward pass
            Wz, Wr, Wh = Wz * op._mW[0], Wr * op._mW[1], Wh * op._mW[2]
            mU = (op._mU[:, :D], op._mU[:, D:2 * D], op._mU[:, 2 * D:])

        # (br and bh may have any shape that broadcasts to (T, N, D): each bias is taken
        # in that shape, and step t adds its own part)
        bz, br, bh = (mg.broadcast_to(b, (T,) + op._s.shape[1:]) for b in (bz, br, bh))

        def gate_input(x, U, m, b):
            a = x @ U
            return (a if m is None else a * m) + b

        s = mg.tensor(op._s[0], constant=True)
        states = [s]
        for t in range(T):
            x = X[t]
            z = mg.nnet.sigmoid(gate_input(x, Uz, mU[0], bz[t]) + s @ Wz)
            r = mg.nnet.sigmoid(gate_input(x, Ur, mU[1], br[t]) + s @ Wr)
            h = mg.tanh(gate_input(x, Uh, mU[2], bh[t]) + (r * s) @ Wh)
            s = (const(1, z) - z) * h + z * s
            states.append(s)
        return cast(mg.stack(states), op.type)

    return composite_vjp(op, grad, indices, gru)
