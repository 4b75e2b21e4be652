"""Run *every* short program over a small alphabet of statements, in both libraries.

Where ``hunt_programs.py`` draws random programs, this takes a fixed setup and a list of
statements and runs each sequence of ``--length`` of them (as a straight program, or as a
training-loop body repeated ``--iterations`` times), comparing after every statement
(``programs.run_program``).  It prints one reproduction per distinct difference; known bugs
and accepted differences are counted, not printed.  Small alphabets reach corners that
random programs seldom do: every order of a shape set, a write and a backward.

    PYTHONPATH=. python tests/enumerate_programs.py --alphabet views --length 3
    PYTHONPATH=. python tests/enumerate_programs.py --alphabet loop --length 3 --iterations 3
"""
from __future__ import annotations

import argparse
import collections
import gc
import itertools
import os
import random
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(__file__))

import conftest  # noqa: E402,F401  (hypothesis profiles, MyGrad's lock tables cleaned per test)
from programs import MyGradHung, Program, ProgramMismatch, frozen_gc, known_bug, run_program  # noqa: E402

# Names follow the program fuzzer's (v0, v1, ...): the predicates of accepted differences
# read them.  Each alphabet: (setup, statements).
ALPHABETS = {
    # a base, a view of it and a result using both; views, writes, shape sets in each mode,
    # backward and graph clearing
    "views": (
        ["v0 = mg.tensor([[1.0, -2.0, 3.0], [4.0, 0.5, -6.0]])", "v1 = v0[...]",
         "v2 = (v0 * v1).sum()"],
        ["v1 = v0[:, 1:]", "v1 = v0.T", "v1 = v0.reshape(-1)[::2]", "v1 = v1[...]",
         "v2 = (v1 * v1).sum()", "v2 = (v0 ** 2).sum() + v1.sum()",
         "v0 += 1", "v1 *= 2", "v1[0] = 5.0", "v0[0] = -1.0",
         "v0.shape = (3, 2)", "with mg.no_autodiff: v0.shape = (-1,)",
         "with mg.mem_guard_off: v1.shape = (-1,)", "with mg.no_autodiff: v1.shape = (-1,)",
         "v2.backward()", "v1.backward()", "v0.clear_graph()", "v2.null_grad()",
         "with mg.mem_guard_off: v0 *= 3", "with mg.no_autodiff: v1 += 1"]),
    # a training loop: parameters and views of them reused across backward passes and
    # updates, with the graph read back (creator, variables) as user code does
    "loop": (
        ["v0 = mg.tensor(np.arange(6.0).reshape(2, 3) / 4)", "v1 = v0.reshape(3, 2)",
         "v2 = (v1 * v1).sum()"],
        ["v1 = v0.reshape(3, 2)", "v1 = v0.T", "v1 = v0[::-1, 1:]", "v1 = v0[...]",
         "v2 = (v1 * v1).sum()", "v2 = mg.einsum('ij->', v1 * v0.sum())",
         "v2.backward()", "v1.backward(2.0)",
         "v0 -= 0.1 * v0.grad", "v1 -= 0.1 * v1.grad",
         "with mg.no_autodiff: v0 -= 0.1 * v0.grad", "v1[0] = v1[-1]",
         "v3 = v1.creator.variables[0]", "v0.null_grad()", "v2.clear_graph()"]),
    # ufuncs writing with out= into tensors and views (reversed, transposed), masked with
    # where=, cast (float32 targets of float64 results), and NumPy's ufuncs on tensors
    "out": (
        ["v0 = mg.tensor(np.arange(6.0, dtype='float32').reshape(2, 3) - 2)", "v1 = v0[::-1]",
         "v2 = mg.zeros((2, 3))"],
        ["mg.add(v0, 1.0, out=v1)", "mg.multiply(v1, v1, out=v2)", "mg.exp(v2, out=v2)",
         "mg.negative(v0, out=v0)", "np.add(v0, 1, out=v2)", "v2[...] = v1",
         "mg.add(v0, v1, out=v1, where=np.array([True, False, True]))",
         "mg.square(mg.tensor(np.ones((2, 3))), out=v1)", "v1 = v0.T.T", "v1 = v0[::-1]",
         "with mg.no_autodiff: mg.add(v0, 1, out=v1)", "v2.backward()", "v1.backward()",
         "v0 *= 2", "v0.clear_graph()"]),
    # a small convolutional step - conv, a bias kept as a view, relu, pooling, batchnorm, a
    # loss - with its parameters updated in place (best as a loop body)
    "nnet": (
        ["v0 = mg.tensor(np.linspace(-1, 1, 50).reshape(2, 1, 5, 5))",
         "v1 = mg.tensor(np.linspace(-0.5, 0.5, 18).reshape(2, 1, 3, 3))",
         "v2 = mg.tensor(np.zeros(2)).reshape(1, 2, 1, 1)", "v3 = mg.nnet.conv_nd(v0, v1, stride=1)",
         "v4 = v3.sum()"],
        ["v3 = mg.nnet.conv_nd(v0, v1, stride=1) + v2", "v3 = mg.nnet.relu(v3)",
         "v3 = mg.nnet.max_pool(v3, (2, 2), 1)", "v3 = mg.nnet.batchnorm(v3, eps=1e-5)",
         "v4 = mg.nnet.softmax_crossentropy(v3.reshape(2, -1), np.array([0, 1]))",
         "v4 = (v3 ** 2).mean()", "v4.backward()", "v3.backward()",
         "v1 -= 0.1 * v1.grad", "v2 -= 0.1 * v2.grad", "with mg.no_autodiff: v1 *= 0.5",
         "v2 = v2.base.reshape(1, 2, 1, 1)"]),
    # a gru layer (MyGrad's needs numba) trained in a loop: its nine parameters views of two
    # tensors, biases and initial states of the shapes MyGrad broadcasts, truncated
    # back-propagation, the output read, written and back-propagated
    "gru": (
        ["v0 = mg.tensor(np.linspace(-1, 1, 12).reshape(3, 2, 2))",
         "v1 = mg.tensor(np.linspace(-0.5, 0.5, 24).reshape(6, 2, 2))",
         "v2 = mg.tensor(np.linspace(-0.2, 0.2, 6).reshape(3, 2))",
         "v3 = mg.nnet.gru(v0, v1[0], v1[1], v2[0], v1[2], v1[3], v2[1], v1[4], v1[5], v2[2])"],
        ["v3 = mg.nnet.gru(v0, v1[0], v1[1], v2[0], v1[2], v1[3], v2[1], v1[4], v1[5], v2[2])",
         "v3 = mg.nnet.gru(v0, v1[0], v1[1], v2[0], v1[2], v1[3], np.full((2, 2), 0.1), v1[4], "
         "v1[5], v2[2], s0=np.array(0.5))",
         "v3 = mg.nnet.gru(v0[::-1], v1[0].T, v1[1], v2[0], v1[2], v1[3], v2[1], v1[4], v1[5], v2[2], bp_lim=1)",
         "v4 = (v3 ** 2).mean()", "v4 = v3[-1].sum()", "v4.backward()", "v3.backward()",
         "v1 -= 0.1 * v1.grad", "v2 -= 0.1 * v2.grad", "with mg.no_autodiff: v1 *= 0.5",
         "v3[1] = 0.5", "v0 = v0 * 0.5"]),
    # a Tensor subclass through operations, views, in-place writes and backward (MyGrad's
    # rule for the result's type)
    "subclass": (
        ["class Param(mg.Tensor): pass", "v0 = Param(np.arange(6.0).reshape(2, 3))",
         "v1 = v0 * 2", "v2 = mg.tensor(1.0)"],
        ["v1 = v0 * 2", "v1 = v0 + v2", "v1 = mg.sum(v0)", "v1 = v0.T", "v1 = v0[0]",
         "v1 = mg.matmul(v0, v0.T)", "v1 = mg.einsum('ij->j', v0)", "v1 = mg.nnet.relu(v0)",
         "v1 = -v0", "v1 = v0.copy()", "v0 += v2", "v2 = v2 * v0", "v0[0] = 3.0",
         "v1.backward()", "v0.backward()", "v1 = Param(v1)", "v1 = mg.tensor(v0)"]),
    # dtypes: float16/float32 tensors with float64 and integer operands, in place (cast back
    # to the target's dtype), constants, astype, and the gradients' dtypes
    "dtypes": (
        ["v0 = mg.tensor(np.array([0.5, -1.5, 2.0], dtype='float16'))",
         "v1 = mg.tensor(np.array([1.0, 2.0, -3.0], dtype='float32'))", "v2 = v0 * v1"],
        ["v2 = v0 * v1", "v2 = v0 + np.arange(3)", "v2 = v1 / 3.0", "v2 = v0.astype('float64') ** 2",
         "v0 *= v1", "v1 += 2", "v1 -= np.float64(0.25)", "v0[1] = v1[2]",
         "v1 = mg.tensor(v1, dtype='float16')", "v1 = mg.tensor(v1, constant=True)",
         "v2.backward()", "v2.backward(np.ones(3, dtype='float32'))", "v0.null_grad()"]),
    # the graph's bookkeeping: constants, copies, clear_graph / null_grad, no_autodiff blocks
    "graph": (
        ["v0 = mg.tensor([1.0, 2.0, 3.0])", "v1 = v0 * 2", "v2 = mg.tensor([0.5, 0.5, 0.5], constant=True)"],
        ["v1 = v0 * v2", "v1 = v1 + v0", "v2 = v1.copy()", "v2 = copy.deepcopy(v1)",
         "v2 = mg.tensor(v1, constant=True)", "v1.clear_graph()", "v1.null_grad()",
         "v0.null_grad()", "v1.backward()", "v2.backward()",
         "with mg.no_autodiff: v1 = v0 * 3", "v0 = v1[...]", "v1 = mg.add(v0, v2, constant=True)"]),
    # deep and shallow copies of views, of their bases and of results, taken between writes
    # through the views and backward passes (the copy's graph is the original's, copied)
    "copies": (
        ["v0 = mg.arange(6.0).reshape(2, 3)", "v1 = v0[:, 1:]", "v2 = (v1 * v0[:, :2]).sum()",
         "v3 = copy.deepcopy(v1)"],
        ["v3 = copy.deepcopy(v1)", "v3 = copy.deepcopy(v0)", "v3 = copy.deepcopy(v2)", "v3 = copy.copy(v1)",
         "v1 *= 2", "v1[0] = 5.0", "v0 += 1", "v0[1] = v1[0, 0] * 3", "v1 = v0.T[1:]",
         "v3.backward()", "v2.backward()", "v1.backward()", "(v3 * 2).sum().backward()",
         "v0.clear_graph()", "v3[...] = v3 * v3"]),
    # views made by einsum (a diagonal, a transpose) and by other view functions
    # (moveaxis, swapaxes, broadcast_to, squeeze, expand_dims), written through and reused
    "view-functions": (
        ["v0 = mg.tensor(np.arange(9.0).reshape(3, 3) - 4)", "v1 = mg.einsum('ii->i', v0)",
         "v2 = (v1 * v0[0]).sum()"],
        ["v1 = mg.einsum('ii->i', v0)", "v1 = mg.einsum('ij->ji', v0)", "v1 = mg.moveaxis(v0, 0, 1)",
         "v1 = mg.swapaxes(v0, 0, 1)[1:]", "v1 = mg.expand_dims(v0, 0)[0]", "v1 = mg.squeeze(v0[None])",
         "v2 = mg.broadcast_to(v1, (2,) + v1.shape)", "v2 = (v1 * v1).sum()",
         "v1[...] = 5.0", "v1 *= v1", "v0 += 1", "v2.backward()", "v1.backward()",
         "v0.clear_graph()", "v3 = v1.copy()"]),
    # advanced and boolean indexing: gathers with repeated indices, element writes and
    # augmented writes through them (into the tensor and through a view), and backward
    "indexing": (
        ["v0 = mg.tensor(np.arange(8.0).reshape(2, 4) / 2 - 1)", "v1 = v0[:, ::2]",
         "v2 = v0[[0, 0, 1]].sum()"],
        ["v2 = v0[[0, 0, 1]].sum()", "v2 = (v1[v1 > 0] ** 2).sum()", "v2 = v0[[1, 0], [3, 3]].sum()",
         "v0[[0, 0], [1, 1]] += 1.0", "v0[v0 < 0] = 0.5", "v1[:, [1, 1]] = v1[:, :1] * 2",
         "v1[np.array([True, False])] *= 3.0", "v1 = v0[1:, [0, 2]]", "v1 = v0[:, ::2]",
         "v2.backward()", "v1.backward()", "v0.clear_graph()", "v3 = v0[v0.data > 0]"]),
    # the memory guard: arrays read-only while a graph uses them, NumPy views and arrays
    # shared with tensors (copy=False), writes into .data, mem_guard_off and no_autodiff
    "guard": (
        ["v0 = mg.tensor([1.0, 2.0, 3.0, 4.0])", "v1 = v0[1:]", "v2 = v0 * v1.sum()"],
        ["v2 = v0 * v1.sum()", "with mg.mem_guard_off: v2 = v1 * 2", "v3 = mg.tensor(v1.data[::-1], copy=False)",
         "with mg.no_autodiff: v3 = v0[:2]", "v3 = mg.tensor(v0.data, copy=False)", "v3 += 1",
         "v0.data[0] = 7.0", "v3.data[-1] = -1.0", "with mg.mem_guard_off: v1 *= 2", "v1 -= 1",
         "v2.backward()", "v0.clear_graph()", "del v2", "v2 = mg.multiply(v3, v3, out=v3)"]),
    # shape functions that give a view or a copy depending on the layout (ravel, reshape,
    # flatten of contiguous and transposed tensors), NumPy's functions on tensors, writes
    # through what they give
    "shapes": (
        ["v0 = mg.tensor(np.arange(6.0).reshape(2, 3) - 2)", "v1 = v0.ravel()", "v2 = (v1 * v0.sum()).sum()"],
        ["v1 = v0.ravel()", "v1 = v0.T.ravel()", "v1 = v0.flatten()", "v1 = v0.T.reshape(-1)",
         "v1 = np.reshape(v0, (3, 2))", "v1 = mg.reshape(v0.T, (6,))[::2]", "v1 = np.transpose(v0)",
         "v1[0] = 9.0", "v1 += 1", "v0 *= 2", "v2 = (v1 ** 2).sum()", "v2.backward()",
         "v1.backward()", "v0.clear_graph()"]),
    # NumPy's functions and ufuncs called on tensors (__array_ufunc__ / __array_function__),
    # mixed with tensors' own operations, in-place forms and backward
    "numpy": (
        ["v0 = mg.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])", "v1 = v0[:, ::-1]",
         "v2 = np.sum(v0 * v1)"],
        ["v2 = np.sum(v0 * v1)", "v2 = np.mean(np.exp(v1), axis=0)", "v2 = np.concatenate([v0, v1]).sum()",
         "v2 = np.matmul(v0, v1.T)", "v2 = np.einsum('ij,ij->', v0, v1)", "v2 = np.maximum(v0, 0.5)",
         "v1 = np.transpose(v0)[::2]", "v3 = np.asarray(v1)", "np.multiply(v0, 2, out=v0)",
         "np.exp(v1, out=v1)", "v2.backward()", "v1 = np.squeeze(v0[None])", "v0.clear_graph()"]),
    # an Operation written in plain Python (as students write them), run through
    # mg.execute_op and Tensor._op, on views, in place and in loops
    "custom": (
        ["class Sq(mg.operation_base.Operation):\n"
         "    def __call__(self, a):\n"
         "        self.variables = (a,)\n"
         "        return a.data ** 2\n"
         "    def backward_var(self, grad, index, **kwargs):\n"
         "        return 2 * self.variables[0].data * grad",
         "v0 = mg.tensor([1.0, -2.0, 3.0])", "v1 = mg.execute_op(Sq, v0)"],
        ["v1 = mg.execute_op(Sq, v0)", "v1 = mg.Tensor._op(Sq, v0[::-1])", "v1 = v0._op(Sq, v1)",
         "v1 = mg.execute_op(Sq, v0, constant=True)", "v1.backward()", "v1.backward(v1.data)",
         "v0 -= 0.1 * v0.grad", "v0[0] = v1[1]", "v1 *= v0", "v1.clear_graph()",
         "v0 = v0.reshape(3, 1)"]),
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--alphabet", choices=sorted(ALPHABETS), default="views")
    ap.add_argument("--length", type=int, default=3, help="statements per program (or body)")
    ap.add_argument("--iterations", type=int, default=1,
                    help="run the statements as a loop body this many times")
    ap.add_argument("--minutes", type=float, default=float("inf"))
    ap.add_argument("--shuffle", type=int, default=None, help="run the programs in a random order")
    ap.add_argument("--show-known", action="store_true",
                    help="print the first program of each known bug too (their predicates are broad)")
    ap.add_argument("--show-every", action="store_true",
                    help="also print every later differing program, one line each (its statements)")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    setup, alphabet = ALPHABETS[args.alphabet]
    sequences = list(itertools.product(alphabet, repeat=args.length))
    if args.shuffle is not None:
        random.Random(args.shuffle).shuffle(sequences)
    start, count = time.time(), 0
    groups: collections.Counter = collections.Counter()
    with frozen_gc():   # (once: each program's collections then see only what it made)
        # (also what a caller that froze the heap earlier made since - in a test session, the
        # other tests' objects: each of the ~200,000 collections would walk them all)
        gc.collect()
        gc.freeze()
        for seq in sequences:
            if time.time() - start > args.minutes * 60:
                break
            count += 1
            program = (Program(setup=list(setup) + list(seq)) if args.iterations == 1 else
                       Program(setup=list(setup), body=list(seq), iterations=args.iterations))
            try:
                run_program(program, repro=False)
            except ProgramMismatch as e:
                name = known_bug(e.diff)
                key = name or (e.diff.key, e.diff.stmt)
                groups[key] += 1
                if groups[key] == 1 and (args.show_known or not name):
                    print(f"=== new: {key} ===\n{e}\n", flush=True)
                elif args.show_every:
                    print(f"--- {key}: {' ; '.join(program.setup + program.body)}", flush=True)
            except MyGradHung:
                groups["MyGrad hung"] += 1
    print(f"{count} of {len(sequences)} programs in {time.time() - start:.0f} s; "
          f"differences: {dict(groups) or 'none'}")
    return 1 if any(not isinstance(key, str) for key in groups) else 0   # (str: a known name)


if __name__ == "__main__":
    sys.exit(main())
