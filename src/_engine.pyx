# cython: language_level=3, boundscheck=True, wraparound=True
"""The compiled core of mygrad_c: graph nodes, the backward pass, and hot kernels.

How the graph is stored
=======================
A tensor *is* a graph node (``TensorBase`` below; ``mygrad_c.Tensor`` subclasses it
to add the NumPy-like API).  A node holds its array (``data``), its gradient
(``_grad``), whether it is a constant, and ``_creator``: the ``Operation`` instance
whose forward pass produced it.  The operation in turn holds the tuple of its input
tensors in ``op.variables``.  So the graph is stored *backwards only*: from any
tensor you can walk to everything it was computed from, but nothing points
"downstream".  That keeps the ownership simple - a tensor keeps its history
alive, and history nobody can reach any more is freed at once by reference
counting, with no cycles for the garbage collector to find.

    a --+
         >-- [op: Multiply] --> c        c._creator is op
    b --+                                op.variables == (a, b)

The backward pass (``backward`` below)
======================================
1. Topological order.  An explicit-stack depth-first search from the root
   collects every non-constant node that the root depends on, in post-order:
   each node appears after all of its inputs.  Reversed, that order visits a
   node only once every node that consumes it has been visited, so by then
   its gradient is complete.  The search is iterative, so a chain of 10^5 ops
   costs 10^5 loop iterations and never touches Python's recursion limit.
2. Propagation.  The root's pending gradient is the seed (``grad`` or ones).
   For each node in reverse order with a pending gradient ``g``, its creator
   computes one vector-Jacobian product per non-constant input,
   ``op.backward_var(g, i)``; the engine - not the op - sums away the axes that
   broadcasting added (``reduce_broadcast``) and adds the result into the
   input's pending gradient.  The first contribution is stored as is (no
   copy); a second one allocates the sum; later ones add in place into that
   array, which the engine owns.  An intermediate that nobody outside the graph
   can reach is let go as soon as it has been passed on: its gradient at once
   and, in a large graph, the node itself with its array and its operation
   (``_may_release_as_it_goes``), so the peak of a network's backward pass does
   not hold every activation until the end.
3. Commit.  The pending gradients are written to ``.grad`` (cast to each
   tensor's dtype) and the graph is cleared: creators are dropped, so
   intermediate arrays are freed as soon as backward returns.  If an op raises
   (or an input was cleared), the gradients computed so far are committed and
   the graph is kept, which is the state MyGrad leaves.

Every node carries a ``_version``, renewed whenever its graph is cleared or an
in-place operation rebinds it.  An operation records its inputs' versions when
it is created, and each tensor knows the operations that used it (weak
references).  An in-place operation (``x *= 2``) moves the object ``x``'s node
into a hidden tensor (a "past state") and rewires those operations to it at
once, so no graph refers to the object ``x`` after it is rebound (its new
graph may lead to them: that would be a reference cycle).  Back-propagating
through an operation whose input was cleared since raises ``InvalidBackprop``,
as MyGrad does (``_check_input``).

Views
=====
An operation whose result shares memory with its first input (``can_return_view``)
makes a view: the result records its root base and the chain of view operations
from it.  A view's ``.grad`` is that chain applied to the base's gradient; after
an in-place write into the base, its live views are rebuilt on the base's new
state (``mark_written``).

Memory guarding
===============
While an operation is alive it may need its inputs' arrays in its backward pass,
so the engine makes them read-only ("locks" them): writing ``x.data[0] = 5``
then raises NumPy's read-only error instead of silently corrupting a gradient.
Locks are counted per block of memory (``LockCell``: a base's array and its
views' arrays).  An operation takes one lock on each input when it is created
and gives them back when it is freed (``__dealloc__``) - so a graph that is
simply dropped releases its locks by reference counting.  A tensor with a
creator also locks its memory until its graph is cleared - or, when the user holds
that creator (``c = y.creator``), until the operation is freed, as in MyGrad; and
the inputs such an operation reaches keep their gradients.  Only arrays that
were writeable are made read-only, and only those are made writeable again.

Graph nodes hold no reference cycles, so they are kept out of the cyclic
garbage collector's sight (``_untrack``), and graph mode is per thread.
"""

cimport cython
cimport numpy as cnp
from cpython.object cimport PyObject
from cpython.ref cimport Py_REFCNT
from cpython.weakref cimport PyWeakref_GetObject, PyWeakref_NewRef

import warnings

import numpy as np

cnp.import_array()

from mygrad_c.errors import InvalidBackprop, InvalidGradient, SkipGradient


# ---------------------------------------------------------------------------
# graph-mode state: is the graph being recorded, are arrays being guarded?
# ---------------------------------------------------------------------------
# Both switches are per thread, as PyTorch's grad mode is: C thread-local
# variables.  They store the *negation* so that a new thread starts from
# zero = "on".
#
# Reading a thread-local variable from an extension module can be slow: when
# another library loaded earlier (PyTorch) used up the static TLS space, every
# access goes through __tls_get_addr.  So a plain global counts the threads
# that have either switch off, and while it is zero (the usual case) the
# switches are read as "on" without touching thread-local storage.
cdef extern from *:
    """
    static __thread int mgc_graph_off_tls = 0;
    static __thread int mgc_guard_off_tls = 0;
    static int mgc_threads_with_a_switch_off = 0;  /* changed with the GIL held */
    #define mgc_graph_off (mgc_threads_with_a_switch_off && mgc_graph_off_tls)
    #define mgc_guard_off (mgc_threads_with_a_switch_off && mgc_guard_off_tls)
    static void mgc_set_switches(int graph_off, int guard_off) {
        int before = mgc_graph_off_tls || mgc_guard_off_tls;
        mgc_graph_off_tls = graph_off;
        mgc_guard_off_tls = guard_off;
        mgc_threads_with_a_switch_off += (graph_off || guard_off) - before;
    }
    """
    int mgc_graph_off
    int mgc_guard_off
    void mgc_set_switches(int graph_off, int guard_off)

# The tensors' own arrays that memory guarding has made read-only (a lock cell's first
# lock), so that another tensor holding that very array - ``mg.tensor(x.data,
# copy=False)`` - sees it locked by the guard and is written in place into a new array, as
# MyGrad's guard, which tracks arrays rather than tensors, does.  A set of the arrays'
# addresses in C (open addressing, linear probing), holding only the arrays that may be
# shared: one read through ``.data`` while its lock holds it, or one a tensor was made on
# without a copy (``mgc_shared_arrays``: then recorded when a lock makes it read-only).
# Recording every locked array cost 4-8 % on the scalar and element-write benchmark rows
# (a Python dict 0.13-0.19 us per scalar operation).  An address is removed when its lock
# is released, which the array outlives (the cell holds it), so no address stands for a
# dead array.
cdef extern from *:
    """
    #include <stdlib.h>
    typedef struct { void **slots; size_t cap, used, filled; } mgc_ptrset;
    static mgc_ptrset mgc_guard_flipped = {NULL, 0, 0, 0};
    #define MGC_TOMB ((void *)1)
    static inline size_t mgc_ptr_hash(void *p) {
        size_t h = (size_t)p >> 4;
        h *= (size_t)0x9E3779B97F4A7C15ULL;
        return h ^ (h >> 29);
    }
    static int mgc_ptrset_resize(mgc_ptrset *s) {
        /* double when live keys fill a quarter, else rebuild at the size (tombstones go) */
        size_t cap = s->cap == 0 ? 64 : (s->used * 4 >= s->cap ? s->cap * 2 : s->cap);
        void **slots = (void **)calloc(cap, sizeof(void *));
        size_t i, j;
        if (slots == NULL) return -1;
        for (i = 0; i < s->cap; i++) {
            void *p = s->slots[i];
            if (p == NULL || p == MGC_TOMB) continue;
            for (j = mgc_ptr_hash(p) & (cap - 1); slots[j] != NULL; j = (j + 1) & (cap - 1)) {}
            slots[j] = p;
        }
        free(s->slots);
        s->slots = slots; s->cap = cap; s->filled = s->used;
        return 0;
    }
    static int mgc_ptrset_add(mgc_ptrset *s, void *p) {
        size_t i;
        void **tomb = NULL;
        if ((s->filled + 1) * 2 > s->cap && mgc_ptrset_resize(s) < 0) return -1;
        for (i = mgc_ptr_hash(p) & (s->cap - 1); s->slots[i] != NULL; i = (i + 1) & (s->cap - 1)) {
            if (s->slots[i] == p) return 0;
            if (s->slots[i] == MGC_TOMB && tomb == NULL) tomb = &s->slots[i];
        }
        if (tomb != NULL) *tomb = p; else { s->slots[i] = p; s->filled++; }
        s->used++;
        return 0;
    }
    static void **mgc_ptrset_find(mgc_ptrset *s, void *p) {
        size_t i;
        if (s->used == 0) return NULL;
        for (i = mgc_ptr_hash(p) & (s->cap - 1); s->slots[i] != NULL; i = (i + 1) & (s->cap - 1))
            if (s->slots[i] == p) return &s->slots[i];
        return NULL;
    }
    static void mgc_ptrset_discard(mgc_ptrset *s, void *p) {
        void **slot = mgc_ptrset_find(s, p);
        if (slot != NULL) { *slot = MGC_TOMB; s->used--; }
    }
    static mgc_ptrset mgc_shared_arrays = {NULL, 0, 0, 0};
    #define mgc_guard_flipped_add(p) mgc_ptrset_add(&mgc_guard_flipped, (p))
    #define mgc_shared_add(p) mgc_ptrset_add(&mgc_shared_arrays, (p))
    #define mgc_shared_has(p) (mgc_ptrset_find(&mgc_shared_arrays, (p)) != NULL)
    #define mgc_shared_discard(p) mgc_ptrset_discard(&mgc_shared_arrays, (p))
    #define mgc_guard_flipped_has(p) (mgc_ptrset_find(&mgc_guard_flipped, (p)) != NULL)
    #define mgc_guard_flipped_discard(p) mgc_ptrset_discard(&mgc_guard_flipped, (p))
    """
    int mgc_guard_flipped_add(void *p)
    bint mgc_guard_flipped_has(void *p)
    void mgc_guard_flipped_discard(void *p)
    int mgc_shared_add(void *p)
    bint mgc_shared_has(void *p)
    void mgc_shared_discard(void *p)

# The Python-level Tensor class (a subclass of TensorBase); registered by
# mygrad_c.tensor_base at import time so that ops create user-visible tensors.
cdef object _Tensor = None


def set_tensor_type(cls):
    """Register ``mygrad_c.Tensor`` as the type of tensors that ops create."""
    global _Tensor
    if not (isinstance(cls, type) and issubclass(cls, TensorBase)):
        raise TypeError("the tensor type must subclass _engine.TensorBase")
    _Tensor = cls


cpdef bint routes_through_op(object cls):
    """Does the tensor type ``cls`` (a subclass of Tensor) define its own ``_op``?

    MyGrad runs its operators (``+ - * / ** @``, unary ``-``/``+``), indexing and ``.T``
    through ``type(self)._op(Op, *inputs)``, so a subclass can watch or change every
    operation on its tensors by overriding that classmethod.  For such a subclass the
    same calls go through its ``_op`` here; ``Tensor`` itself, and subclasses that keep
    its ``_op``, take the compiled paths (the same result, without the call).  (Hot
    callers test ``cls is not _Tensor`` first: the common case then costs no call.)"""
    if cls is None or cls is _Tensor:
        return False
    for klass in cls.__mro__:
        if "_op" in klass.__dict__:
            return klass is not _Tensor
    return False


def is_tracking() -> bool:
    """True when operations record the computational graph (not in ``no_autodiff``), in this thread."""
    return not mgc_graph_off


def set_tracking(bint value) -> bool:
    """Turn graph recording on or off for this thread; returns the previous setting."""
    cdef bint old = not mgc_graph_off
    mgc_set_switches(not value, mgc_guard_off)
    return old


def mem_guard_active() -> bool:
    """Whether memory guarding is active in this thread (arrays in a live graph are read-only)."""
    return not mgc_guard_off


def set_mem_guard(bint value) -> bool:
    """Turn memory guarding on or off for this thread; returns the previous setting."""
    cdef bint old = not mgc_guard_off
    mgc_set_switches(mgc_graph_off, not value)
    return old


# ---------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------
cdef inline bint _is_float_dtype(cnp.ndarray arr):
    return cnp.PyArray_ISFLOAT(arr)


cdef inline bint _is_real_dtype(cnp.ndarray arr):
    # bool, signed/unsigned integers, floats: what a Tensor may hold
    cdef int typenum = cnp.PyArray_TYPE(arr)
    return cnp.PyArray_ISBOOL(arr) or cnp.PyArray_ISINTEGER(arr) or cnp.PyArray_ISFLOAT(arr)


cdef inline bint _bad_constant(object constant):
    return constant is not None and type(constant) is not bool


cdef inline void _check_constant(object constant) except *:
    if _bad_constant(constant):
        raise TypeError(f"`constant` must be a boolean value, got: {constant}")


def check_constant(constant):
    """Raise MyGrad's TypeError unless ``constant`` is None, True or False."""
    _check_constant(constant)


def check_array_args(dtype, copy, ndmin):
    """Raise the first error NumPy's ``np.array`` would raise for these arguments, in its
    order (MyGrad hands them on to it): an unknown ``dtype`` (TypeError), a string ``copy``
    (ValueError; an empty string too, which a truth test would let pass), an ``ndmin``
    that is not an integer (TypeError)."""
    if dtype is not None:
        np.dtype(dtype)
    if isinstance(copy, str):
        raise ValueError("strings are not allowed for 'copy' keyword. Use True/False/None instead.")
    if not isinstance(ndmin, (int, np.integer)):
        why = ("integer argument expected, got float" if isinstance(ndmin, float)
               else f"'{type(ndmin).__name__}' object cannot be interpreted as an integer")
        raise TypeError(f"`ndmin` requires a non-negative integer ({why})")   # (NumPy's words, and the name)


cdef object _check_real(cnp.ndarray arr):
    if not _is_real_dtype(arr):
        raise TypeError(
            "Tensor data must be of an floating type, integer type, or boolean "
            f"type, received {arr.dtype.type}"
        )


# ---------------------------------------------------------------------------
# memory-guard locks
# ---------------------------------------------------------------------------
@cython.no_gc
cdef class LockCell:
    """A counted read-only lock on one block of memory: a base's array and its views'.

    Locks belong to memory, not to tensor objects: an in-place operation can
    hand a tensor object a new array while operations still hold locks on the
    old one, and a view and its base share memory, so locking either must
    protect both.  The first lock makes every registered array of the block
    read-only (those that were writeable); the last release restores exactly
    those.  A view made while the block is locked (NumPy makes it read-only)
    is restored with the others.
    """

    cdef cnp.ndarray array          # the base's array
    cdef list views                 # weak references to the arrays of views of it
    cdef bint base_flipped          # this lock made the base's array read-only
    cdef bint shared                # `array` is a caller's array: its locks are counted per array
    cdef list own_entry             # (shared) its _owner_locks entry while locked
    cdef list owner_entry           # (array made on a NumPy view) its owner's _owner_locks entry
    cdef dict flipped               # id -> weak reference: the views' arrays this lock made
                                    # read-only (or None)
    cdef Py_ssize_t count
    cdef bint ever                  # the guard has tracked it at some time (see
                                    # was_guard_locked)
    cdef Py_ssize_t past_refs       # past states still holding `array` after overwrites
    cdef list undo                  # (index, old values) of each overwrite, oldest first

    def __cinit__(self, cnp.ndarray arr, bint shared=False):
        self.array = arr
        self.count = 0
        self.views = None
        self.flipped = None
        self.base_flipped = False
        self.shared = shared

    cdef void add_view(self, cnp.ndarray arr, bint readonly=False, bint stands_in=False):
        """Register ``arr`` (a view of the block, or with ``stands_in`` an array standing in
        for one - a past state's restored copy) with the lock: read-only while it is held."""
        if self.views is None:
            self.views = []
        elif len(self.views) >= 32 and (len(self.views) & (len(self.views) - 1)) == 0:
            self.views = [r for r in self.views if r() is not None]
        if mgc_guard_off and not stands_in:
            # made under mem_guard_off: as in MyGrad, its array is neither locked nor
            # made writeable by this lock, now or later (a view of a locked array stays
            # read-only)
            return
        self.views.append(weakref_ref(arr))
        if readonly:
            # read-only by design (broadcast_to); as MyGrad does, the graph's release
            # makes it writeable, like every array the graph locked
            self._flipped_view(arr)
            return
        if self.count > 0 and not _is_broadcast(arr):
            if cnp.PyArray_ISWRITEABLE(arr):
                cnp.PyArray_CLEARFLAGS(arr, cnp.NPY_ARRAY_WRITEABLE)
                self._flipped_view(arr)
            elif self._guards_base():
                self._flipped_view(arr)  # read-only only because the base is locked

    cdef void lock_used_view(self, cnp.ndarray arr):
        if cnp.PyArray_ISWRITEABLE(arr):
            cnp.PyArray_CLEARFLAGS(arr, cnp.NPY_ARRAY_WRITEABLE)
            self._flipped_view(arr)
        elif self._guards_base() or _read_only_through_owner(arr):
            # read-only only because the base is locked (e.g. made under mem_guard_off
            # from a locked array), or read-only by design (a broadcast made under
            # mem_guard_off), or a NumPy view made while the owner of its memory was
            # locked (a view, under mem_guard_off, of a tensor made under no_autodiff on
            # a locked tensor's memory; as `_track_read_only` takes such an array of a
            # cell's own): as MyGrad tracks such an array, it counts as locked by the
            # guard - written in place into a new array - and is writeable once released
            # (after the owner: `_make_writeable_after_owner`).  An owner array read-only
            # by design passes for a locked one here (the locks do not record the owners
            # they made read-only: a registry of them cost 0.36 us per scalar operation);
            # memory that no array owns (np.frombuffer of bytes) does not.
            if not self._has_flipped(arr):
                self._flipped_view(arr)

    cdef bint _has_flipped(self, arr):
        # is `arr` (this very array object) among the arrays this lock made read-only?
        if self.flipped is None:
            return False
        r = self.flipped.get(id(arr))
        return r is not None and r() is arr

    cdef inline bint _guards_base(self):
        # this lock made the base's array read-only (its own flip, or a per-array count)
        return self.base_flipped or (self.own_entry is not None and self.own_entry[2])

    cdef void _flipped_view(self, arr):
        # Weak references, keyed by id (an entry whose array died may have its id taken by
        # a new array, which then replaces it): the array of a view that dies while the
        # lock is held needs no restoring, and a loop that takes views of a tensor a live
        # graph locks (evaluation beside a kept graph) must neither keep every one of them
        # alive nor search a list that grows with them (a quadratic slow-down, measured:
        # 20 -> 190 us per `W[:64] * 2` over 10,000 iterations)
        self.flipped = {} if self.flipped is None else _pruned(self.flipped)
        self.flipped[id(arr)] = weakref_ref(arr)

    cdef inline void acquire(self, bint own=True):
        # own: the array used is the one this cell holds (not a view's): as MyGrad tracks
        # only the arrays an operation uses, a base read-only by design or through its
        # owner counts as locked by the guard only once it is used itself
        if self.count == 0:
            if cnp.PyArray_BASE(self.array) != NULL:
                # the owner of the memory first (as MyGrad locks a view's base before the
                # view): a read-only view of it then counts as locked by the guard
                self._lock_owner()
            if self.shared or (_multi_held and _is_multi_held(self.array)):
                # a caller's array may be wrapped anew by each operation it is passed to,
                # and an out= array is held by two tensors: their locks are counted per
                # array, as MyGrad counts them
                self.shared = True
                self.own_entry = _count_lock(self.array)
            elif cnp.PyArray_ISWRITEABLE(self.array):
                cnp.PyArray_CLEARFLAGS(self.array, cnp.NPY_ARRAY_WRITEABLE)
                self.base_flipped = True
                if mgc_shared_has(<void*>self.array):   # (see mgc_guard_flipped)
                    mgc_guard_flipped_add(<void*>self.array)
            elif _owner_locks and _takes_over_owner_lock(self.array):
                self.base_flipped = True
            elif own:
                self._track_read_only()
            if self.views is not None:
                for ref in self.views:
                    a = ref()
                    if a is None:
                        continue
                    if cnp.PyArray_ISWRITEABLE(<cnp.ndarray>a):
                        cnp.PyArray_CLEARFLAGS(<cnp.ndarray>a, cnp.NPY_ARRAY_WRITEABLE)
                        self._flipped_view(a)
                    elif self.base_flipped and not _is_broadcast(<cnp.ndarray>a):
                        self._flipped_view(a)  # read-only only because the base is locked
        elif own and not self.base_flipped and not self.shared:
            self._track_read_only()   # (locked so far through views only)
        if own and (self.base_flipped or self.own_entry is not None):
            # the guard tracks this array (as MyGrad's does one that its lock made
            # read-only, or one read-only through its owner array; not memory read-only by
            # design that no array owns, as np.frombuffer's of bytes)
            self.ever = True
        self.count += 1

    cdef inline void _track_read_only(self):
        if _read_only_through_owner(self.array) or (self.owner_entry is not None and self.owner_entry[2]):
            # a NumPy view made while its owner was locked (NumPy makes it read-only):
            # as MyGrad does, it is writeable again once this lock and the owner's go
            self.base_flipped = True
        elif _is_broadcast(self.array) or _empty_view_of_writeable(self.array):
            # read-only by design (a broadcast made under no_autodiff, also one of
            # nothing): as MyGrad does for every array its graph locks, writeable once
            # released (and written in place meanwhile into a new array, as a guarded
            # one is)
            self.base_flipped = True

    cdef inline void release(self):
        if self.count > 0:
            self.count -= 1
            if self.count == 0:
                self._unlock()

    cdef void _lock_owner(self):
        # A tensor made on a NumPy view (of an array, or of another tensor's memory under
        # no_autodiff): the array owning its memory is locked too, as MyGrad does, so that
        # nobody writes the memory through the owner.  Such locks are counted per owner
        # (_owner_locks): the owner is writeable again only once every one is released,
        # whichever lock made it read-only.
        owner = _memory_owner(self.array)
        if cnp.PyArray_Check(owner):
            self.owner_entry = _count_lock(<cnp.ndarray>owner)

    cdef void _unlock(self):
        # the owner of the memory first, then the arrays viewing it (as MyGrad)
        if self.owner_entry is not None:
            _uncount_lock(self.owner_entry)
            self.owner_entry = None
        if self.own_entry is not None:
            _uncount_lock(self.own_entry)
            self.own_entry = None
        if self.base_flipped:
            self.base_flipped = False
            mgc_guard_flipped_discard(<void*>self.array)
            _make_writeable_after_owner(self.array)
        if self.flipped is not None:
            for r in self.flipped.values():
                a = r()
                if a is not None:
                    _make_writeable_after_owner(<cnp.ndarray>a)
            self.flipped = None


# Arrays that view memory whose owner is read-only when their lock is released stay
# read-only until the owner is made writeable by its own lock's release, as MyGrad
# does: {id(owner): [weak reference to the owner, {id(array): weak reference}]}, usually
# empty.  Keyed so that an array released again and again while its owner stays locked (a
# tensor on a NumPy view of locked memory, used in a loop) is recorded once, and a release
# looks up only its own array's waiters (a list scanned at every release made each
# operation slower the longer such a loop ran: 4 -> 600 us per `m * 2` over 6,000 steps).
cdef dict _waiting_for_owner = {}


# {id(owner array): [owner, count, restore]}: locks taken on arrays that own memory other
# locked tensors view through NumPy (see LockCell._lock_owner); usually empty.
cdef dict _owner_locks = {}

# {id(array): weak reference}: arrays that an operation's out= made the array of a second
# tensor (see _run_op) - every lock on them is counted per array (_owner_locks), the
# first tensor's too, so that each tensor sees the array locked by the guard whichever
# lock made it read-only (MyGrad tracks arrays, not tensors); usually empty.
cdef dict _multi_held = {}


cdef inline bint _is_multi_held(cnp.ndarray arr):
    r = _multi_held.get(id(arr))
    return r is not None and r() is arr


cdef void _hold_twice(cnp.ndarray arr):
    global _multi_held
    _multi_held = _pruned(_multi_held)
    _multi_held[id(arr)] = weakref_ref(arr)


cdef dict _pruned(dict refs):
    """``refs`` ({id: weak reference}) without the entries whose object died, each time it
    has doubled in size (32, 64, ...): it stays proportional to the live objects without
    a scan at every insertion."""
    cdef Py_ssize_t n = len(refs)
    if n >= 32 and n & (n - 1) == 0:
        return {k: r for k, r in refs.items() if r() is not None}
    return refs


cdef list _count_lock(cnp.ndarray arr):
    """Count one more lock on ``arr`` (making it read-only); its _owner_locks entry."""
    entry = _owner_locks.get(id(arr))
    if entry is None:
        entry = [arr, 0, False]   # the array, the count of locks, whether to restore it
        _owner_locks[id(arr)] = entry
    entry[1] += 1
    if cnp.PyArray_ISWRITEABLE(arr):
        cnp.PyArray_CLEARFLAGS(arr, cnp.NPY_ARRAY_WRITEABLE)
        entry[2] = True
    elif not entry[2] and _read_only_through_owner(arr):
        entry[2] = True   # read-only because its owner is locked: writeable again after it
    return entry


cdef void _uncount_lock(list entry):
    entry[1] -= 1
    if entry[1] == 0:
        del _owner_locks[id(entry[0])]
        if entry[2]:
            _make_writeable_after_owner(<cnp.ndarray>entry[0])


cdef bint _takes_over_owner_lock(cnp.ndarray arr):
    """``arr`` is read-only because locks on tensors viewing it made it so: a lock on
    ``arr``'s own tensor shares the duty of making it writeable again."""
    entry = _owner_locks.get(id(arr))
    if entry is not None and entry[2]:
        entry[2] = False
        return True
    return False


cdef inline bint _read_only_through_owner(cnp.ndarray arr):
    if cnp.PyArray_BASE(arr) == NULL:
        return False
    owner = _memory_owner(arr)
    return cnp.PyArray_Check(owner) and not cnp.PyArray_ISWRITEABLE(<cnp.ndarray>owner)


cdef void _make_writeable(cnp.ndarray arr):
    if _owner_locks:
        entry = _owner_locks.get(id(arr))
        if entry is not None:   # other locked tensors view it: the last of them restores it
            entry[2] = True
            return
    cnp.PyArray_ENABLEFLAGS(arr, cnp.NPY_ARRAY_WRITEABLE)
    if _waiting_for_owner:
        _release_waiting(arr)


cdef void _make_writeable_after_owner(cnp.ndarray arr):
    global _waiting_for_owner
    cdef Py_ssize_t n
    if cnp.PyArray_BASE(arr) != NULL:
        owner = _memory_owner(arr)
        if cnp.PyArray_Check(owner) and not cnp.PyArray_ISWRITEABLE(<cnp.ndarray>owner):
            group = _waiting_for_owner.get(id(owner))
            if group is None or group[0]() is not owner:   # (or a dead owner's id, reused)
                n = len(_waiting_for_owner)
                if n >= 32 and n & (n - 1) == 0:   # the groups of dead owners, now and then
                    _waiting_for_owner = {k: g for k, g in _waiting_for_owner.items() if g[0]() is not None}
                group = [weakref_ref(owner), {}]
                _waiting_for_owner[id(owner)] = group
            group[1] = _pruned(group[1])
            group[1][id(arr)] = weakref_ref(arr)
            return
    _make_writeable(arr)


cdef void _release_waiting(cnp.ndarray owner):
    """``owner`` became writeable: so do the arrays that waited for it."""
    group = _waiting_for_owner.pop(id(owner), None)
    if group is None or group[0]() is not owner:
        return
    for arr_ref in (<dict>group[1]).values():
        a = arr_ref()
        if a is not None:
            cnp.PyArray_ENABLEFLAGS(<cnp.ndarray>a, cnp.NPY_ARRAY_WRITEABLE)


cdef bint _waits_for_owner(cnp.ndarray arr):
    """Is ``arr`` read-only until the owner of its memory is released (see above)?"""
    if not _waiting_for_owner or cnp.PyArray_BASE(arr) == NULL:
        return False
    group = _waiting_for_owner.get(id(_memory_owner(arr)))
    if group is None:
        return False
    r = (<dict>group[1]).get(id(arr))
    return r is not None and r() is arr


cdef Py_ssize_t _next_version = 0

cdef inline Py_ssize_t _new_version():
    global _next_version
    _next_version += 1
    return _next_version


# ---------------------------------------------------------------------------
# Operation: the base class of every differentiable operation
# ---------------------------------------------------------------------------
cdef class Operation:
    """Base class of all operations that can back-propagate gradients.

    An operation ``f`` is used once: ``f(*tensors)`` runs the forward pass on
    the input tensors, records them in ``f.variables``, and returns the
    result as a NumPy array.  ``f.backward_var(grad, index)`` returns the
    vector-Jacobian product for input ``index``: given ``grad = dL/df`` (shaped
    like the output), it returns ``dL/dx_index``.  The engine undoes
    broadcasting, accumulates gradients and skips constant inputs, so an op
    only states its calculus.

    Subclass it in plain Python and run it with ``mygrad_c.execute_op``.
    Raise ``SkipGradient`` from ``backward_var`` for an input that receives
    no gradient.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.operation_base import Operation
    >>> class CustomMultiply(Operation):
    ...     def __call__(self, x, y):
    ...         self.variables = (x, y)
    ...         return x.data * y.data
    ...
    ...     def backward_var(self, grad, index, **kwargs):
    ...         x, y = self.variables
    ...         return grad * (y.data if index == 0 else x.data)
    >>> x = mg.tensor([1.0, 2.0, 3.0])
    >>> y = mg.tensor(2.0)
    >>> z = mg.execute_op(CustomMultiply, x, y)
    >>> z
    Tensor([2., 4., 6.])
    >>> z.backward()
    >>> x.grad, y.grad
    (array([2., 2., 2.]), array(6.))
    """

    cdef tuple _variables         # the input tensors, set by __call__ (``variables``)
    cdef bint _variables_set      # has __call__ set them? (an op that did not cannot back-propagate)
    cdef tuple _versions          # the inputs' graph versions when this op ran
    cdef tuple _locked            # the LockCells this op holds on its inputs' arrays
    cdef int _fast_kind           # nonzero: a scalar arithmetic op run by the engine in C
    # >= 0: backward for this input may reuse ``grad`` (see below); public so that an
    # operation written in Python (ReLu) can set it
    cdef public int _reuse_index
    cdef object __weakref__       # inputs know their consumers by weak reference
    # (as MyGrad's ops: a view's operation keeps the arguments it was run with)
    cdef public object replay_args, replay_kwargs, replay_force_constant

    can_return_view = False
    where = True   # (MyGrad's ops all have it: the where= mask of a ufunc, else True)
    # An op whose gradient for an input touches few of its elements (x[i]) may
    # add it straight into that input's pending gradient: ``add_grad_into(grad,
    # index, out)`` adds in place and returns True, or returns False to decline.
    # The engine calls it only when ``out`` is exclusively its own.
    adds_grad_into = False

    def add_grad_into(self, grad, index, out):
        return False

    # Does backward_var read its inputs' data (not just their shapes)?  If no
    # operation that used a tensor does, an in-place write may overwrite its
    # array instead of copying it (see ``overwrite``).  True unless declared.
    backward_reads_data = True

    # Is a broadcast gradient (a sum's or a mean's: one value repeated) as good for this
    # operation's backward as one written out?  The engine writes such a gradient out
    # first for the others (most elementwise backward formulas run several times faster
    # on a contiguous array).
    takes_broadcast_grad = False

    def __cinit__(self, *args, **kwargs):
        self._variables = ()
        self._versions = None
        self._locked = None
        self._reuse_index = -1

    property variables:
        """The input tensors this operation computes with: ``__call__`` sets them.

        A tuple or a list of tensors, in the order ``backward_var``'s ``index`` counts
        them.  An operation that never sets them runs forward but cannot back-propagate
        (MyGrad's AttributeError, raised when its graph is walked).
        """
        def __get__(self):
            if not self._variables_set:
                raise _no_variables(self)
            _guard_private_constants(self)
            return self._variables

        def __set__(self, value):
            if type(value) is not tuple:
                if not isinstance(value, (tuple, list)):
                    raise TypeError(
                        f"{type(self).__name__}.variables must be a tuple or list of the "
                        f"tensors the operation computes with, not {type(value).__name__}")
                value = tuple(value)
            self._variables = value
            self._variables_set = True

    # An op may set ``_reuse_index``: the engine then computes that input's gradient
    # last and, when the incoming ``grad`` is a buffer nobody else can see (the
    # gradient of a tensor nobody outside the graph holds - a past state, or an
    # intermediate result - which is only passed on), calls
    # ``backward_var_reusing(grad, index)``, which may write into ``grad`` and
    # return it instead of allocating (SetItem: ``grad`` with the written region
    # zeroed; ReLu: ``grad`` masked).

    def backward_var_reusing(self, grad, index):
        """``backward_var(grad, index)``, free to write into ``grad`` (see above)."""
        return self.backward_var(grad, index)

    def __call__(self, *input_vars, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__} must implement __call__ (the forward pass)"
        )

    def backward_var(self, grad, index, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__} must implement backward_var (the vector-Jacobian product)"
        )

    def backward(self, grad, **kwargs):
        """Back-propagate ``grad`` (dL/d of this operation's output) by one step, as
        MyGrad's ``Operation.backward``: the gradient of each input that is not a constant
        (``backward_var``, summed down to the input's shape) is added to its ``.grad``, in
        the input's dtype.  Returns None.

        ``Tensor.backward`` does not call this (the engine drives whole backward passes);
        it is for running one operation's backward by hand.
        """
        cdef TensorBase var
        grad = np.asarray(grad)
        for index, var in enumerate(self._variables):
            if var._constant:
                continue
            try:
                g = self.backward_var(grad, index, **kwargs)
            except SkipGradient:
                continue
            g = np.array(_validated_grad(self, g, index, var), dtype=var._data.dtype)
            held = var._materialized_grad()
            var._grad = g if held is None else held + g

    @staticmethod
    def grad_post_process_fn(grad, var_shape):
        """Sum ``grad`` down to ``var_shape``, undoing broadcasting."""
        return reduce_broadcast(grad, var_shape)

    def __dealloc__(self):
        # give back the locks this operation holds on its inputs' arrays
        cdef LockCell cell
        if self._locked is not None:
            for cell in self._locked:
                cell.release()
            self._locked = None


# ---------------------------------------------------------------------------
# TensorBase: a graph node
# ---------------------------------------------------------------------------
@cython.no_gc
cdef class TensorBase:
    """A node of the computational graph: an array plus its history.

    ``mygrad_c.Tensor`` subclasses this with the NumPy-like API; the fields
    here are what the engine needs to build graphs and back-propagate.
    """

    cdef object _data               # the numpy array (read through the `data` property)
    cdef object _grad               # dL/d(self) after backward, or None
    cdef object _creator            # the Operation that made this tensor, or None
    cdef object _base               # the tensor this one is a view of, or None
    cdef bint _constant
    cdef object _pending            # gradient being accumulated during backward
    cdef bint _pending_owned        # may _pending be added into in place?
    cdef Py_ssize_t _version        # renewed whenever this node is cleared or rebound
    cdef LockCell _lock             # memory-guard lock on `data` (created on first use)
    cdef bint _holds_self_lock      # locked as the output of a live creator
    cdef tuple _view_chain          # how to make this view from its base: ((Op, args, kwargs), ...)
    cdef list _view_children        # weak references to the views taken from this tensor
    cdef object _view_parent        # (view) weak reference to the tensor it was taken from
    cdef tuple _view_steps_from_parent  # (view) the view operations that made it from its parent
    cdef object _view_grad          # (view) its gradient, read off its parent's ...
    cdef object _view_grad_src      # ... while its base's gradient is this same array
    cdef list _consumers            # weak references to the operations that took this tensor as input
    cdef list _past_consumers       # (a past state) those of the object it was the state of
    cdef Py_ssize_t _mark           # visit mark of the current graph traversal
    cdef Py_ssize_t _graph_refs     # references to it from the operations of that traversal
    cdef bint _unguarded            # a private constant made from a number or a list: never locked
    cdef bint _shared_array         # its array is a caller's (no copy was made): locks counted per array
    cdef bint _readonly_view        # (view) made by a read-only view op (broadcast_to): no writes
    cdef bint _grad_lazy            # _grad is a read-only view, copied when first read
    cdef readonly bint _hidden      # a past state made by split_state: nobody reads its grad
    cdef object _successor          # (past state) weak reference to the tensor it was split from
    cdef Py_ssize_t _undo_from      # (past state) 1 + the first overwrite of _data made after it
    cdef Py_ssize_t _overwritten_at # (current state) set by overwrite, for split_state
    cdef object __weakref__

    __array_priority__ = 15.0

    def __cinit__(self, *args, **kwargs):
        global _live_tensors
        _live_tensors += 1

    def __dealloc__(self):
        global _live_tensors
        _live_tensors -= 1
        if self._holds_self_lock and self._lock is not None:
            self._lock.release()  # a dropped output gives back its lock on shared memory
        if self._undo_from and self._lock is not None:
            self._lock.past_refs -= 1  # a past state sharing an overwritten array is gone
        if self._shared_array and self._data is not None:
            mgc_shared_discard(<void*>self._data)   # (the set stays as small as the live sharers)

    def __init__(self, x, *, dtype=None, constant=None, copy=True, ndmin=0,
                 _creator=None, _base=None):
        _check_constant(constant)
        check_array_args(dtype, copy, ndmin)
        if isinstance(x, TensorBase):
            x = (<TensorBase>x)._data
        if copy or dtype is not None or ndmin:
            try:
                arr = np.array(x, dtype=dtype, copy=copy if copy else None, ndmin=ndmin)
            except TypeError as e:
                if dtype is not None:
                    raise
                raise TypeError(
                    "Tensor data must be of an floating type, integer type, or "
                    f"boolean type, received {type(x)}") from e
        else:
            arr = np.asarray(x)
        if constant is None:
            constant = not _is_float_dtype(arr)
        if not mgc_graph_off:  # (with no graph MyGrad takes any array, and the flag as given)
            _check_real(arr)
            if not constant and not _is_float_dtype(arr):
                raise ValueError("Integer-valued tensors must be treated as constants.")
        self._data = arr
        self._shared_array = arr is x   # (no copy: the caller's array)
        if self._shared_array:
            mgc_shared_add(<void*>arr)   # (a lock on it is recorded: see mgc_guard_flipped)
        self._constant = constant
        self._creator = _creator
        self._base = _base

    # --- the data -----------------------------------------------------------
    @property
    def data(self):
        """The tensor's NumPy array."""
        if self._undo_from:
            _restore_overwritten(self)
        cdef LockCell cell = self._lock
        if cell is not None and cell.base_flipped and cell.array is self._data:
            mgc_guard_flipped_add(<void*>self._data)   # it may be shared now (see mgc_guard_flipped)
        return self._data

    @data.setter
    def data(self, value):
        self._data = value

    # --- read-only graph attributes -------------------------------------
    @property
    def constant(self) -> bool:
        """If True, this tensor is a constant: back-propagation skips it."""
        return self._constant

    @property
    def creator(self):
        """The Operation that produced this tensor, or None for a leaf."""
        return self._creator

    @property
    def grad(self):
        """dL/d(self) after ``L.backward()``: an array shaped like the tensor, or None.

        A view's gradient is the same view of its base's gradient (see ``_view_grad``).
        """
        if self._base is None:
            return self._materialized_grad()
        return _view_grad(self)

    cdef object _materialized_grad(self):
        # A gradient that reached this tensor as a read-only (e.g. broadcast) view of
        # memory nobody can write is kept as that view until it is first read: most
        # intermediate tensors' gradients are never looked at.
        if self._grad_lazy:
            self._grad_lazy = False
            if self._grad is not None:
                self._grad = np.array(self._grad)
        return self._grad

    @property
    def base(self):
        """The tensor whose memory this tensor views, or None."""
        return self._base

    @property
    def _raw_grad(self):
        """The gradient this tensor itself holds (for a view: not read off its base)."""
        return self._materialized_grad()

    # --- gradients and graph lifetime -----------------------------------
    def null_grad(self, *, bint _clear_view_info=False):
        """Set ``self.grad`` to None and return self.

        ``_clear_view_info``: also cut a view whose graph was cleared off its base
        (as using it in an operation does).
        """
        self._grad = None
        self._grad_lazy = False
        self._view_grad = self._view_grad_src = None
        if _clear_view_info and self._base is not None and self._creator is None:
            _detach_view(self)
        return self

    # --- views ----------------------------------------------------------
    @property
    def _view_steps(self):
        """((Op, args, kwargs), ...): the view operations that make this view from its base."""
        return self._view_chain

    def clear_graph(self):
        """Drop the computational graph leading to this tensor, releasing its memory locks.

        As in MyGrad, a view whose graph is cleared keeps the gradient it had, and
        is cut off from its base the next time it is used in an operation.
        """
        _clear_graph(self)

    def backward(self, grad=None):
        """Back-propagate ``grad`` (default: ones) through the graph that made this tensor.

        Fills ``.grad`` on every non-constant tensor that this one depends on,
        then clears the graph.
        """
        backward(self, grad)

    # --- arithmetic operators (see "the arithmetic operators" below) -------
    def __add__(self, other):
        return _binary(K_ADD, self, other, type(self))

    def __radd__(self, other):
        return _binary(K_ADD, other, self, type(self))

    def __sub__(self, other):
        return _binary(K_SUB, self, other, type(self))

    def __rsub__(self, other):
        return _binary(K_SUB, other, self, type(self))

    def __mul__(self, other):
        return _binary(K_MUL, self, other, type(self))

    def __rmul__(self, other):
        return _binary(K_MUL, other, self, type(self))

    def __truediv__(self, other):
        return _binary(K_DIV, self, other, type(self))

    def __rtruediv__(self, other):
        return _binary(K_DIV, other, self, type(self))

    def __matmul__(self, other):
        return _matmul(self, other, type(self))

    def __rmatmul__(self, other):
        return _matmul(other, self, type(self))


    # --- locking (memory guarding) ---------------------------------------
    cdef inline LockCell _lock_cell(self):
        # a view shares its base's lock (they share memory) - unless it does not share
        # its base's memory (a deep copy of a view: MyGrad's copy holds a new array too)
        if self._lock is None:
            if self._base is not None and \
                    _memory_owner(self._data) is _memory_owner((<TensorBase>self._base)._data):
                self._lock = (<TensorBase>self._base)._lock_cell()
                self._lock.add_view(self._data)
            else:
                self._lock = LockCell(self._data, self._shared_array)
        return self._lock

    def _lock_count(self) -> int:
        return 0 if self._lock is None else self._lock.count


cdef extern from "Python.h":
    void PyObject_GC_UnTrack(void *op)
    int PyObject_GC_IsTracked(object op)


cdef Py_ssize_t _live_tensors = 0


def live_tensor_count() -> int:
    """How many tensors exist right now (they are invisible to ``gc.get_objects``)."""
    return _live_tensors


cdef inline void _untrack(object o):
    if PyObject_GC_IsTracked(o):
        PyObject_GC_UnTrack(<void*>o)


cdef inline TensorBase _new_tensor(object data, bint constant, object creator, object base,
                                   object cls=None):
    """Create a Tensor around ``data`` (a validated ndarray) without copying.

    Tensors are taken out of the cyclic garbage collector's sight: the graph
    holds no reference cycles (inputs never refer to their outputs), so
    reference counting frees it, and a deep graph would otherwise make every
    collection walk all of its nodes (that made building a 10^5-op chain
    several times slower).
    """
    cdef TensorBase t
    if cls is None or cls is _Tensor:
        t = _Tensor.__new__(_Tensor)
    elif cls.__init__ is not _Tensor.__init__:
        # a subclass that customises __init__ gets it called, as MyGrad does
        t = cls(data, constant=constant, copy=False, _creator=creator, _base=base)
        _untrack(t)
        return t
    else:
        t = cls.__new__(cls)
    _untrack(t)
    t._data = data
    t._constant = constant
    t._creator = creator
    t._base = base
    return t


def tensor_from_array(data, bint constant=False, creator=None, base=None, cls=None):
    """Wrap an ndarray as a Tensor (or a ``cls``) without copying or validating it (internal)."""
    return _new_tensor(data, constant, creator, base, cls)


def as_tensor(x, cls=None):
    """``x`` if it is a tensor, else a constant tensor (of type ``cls``, a Tensor subclass;
    None: Tensor) sharing its memory (TypeError for data that is not bool, integer or
    float)."""
    return _as_tensor(x, cls)


cdef inline TensorBase _as_tensor(object x, object cls=None):
    """Inputs that are not tensors become constant tensors (sharing an array's memory), of
    type ``cls``: as in MyGrad, ``Param._op`` makes a number it is given a ``Param``.

    An input that was not an array (a number, a list) becomes a private array
    that nobody else can see: it is never locked, and never the base of a view.
    """
    cdef TensorBase t
    if isinstance(x, TensorBase):
        return <TensorBase>x
    arr = np.asarray(x)
    if not mgc_graph_off:  # (with no graph, MyGrad accepts any array: complex-step checks)
        _check_real(arr)
    t = _new_tensor(arr, True, None, None, cls)
    t._unguarded = not cnp.PyArray_Check(x)
    t._shared_array = not t._unguarded
    return t


# ---------------------------------------------------------------------------
# running an operation: the forward pass that records the graph
# ---------------------------------------------------------------------------
def execute_op(Op, *input_vars, op_args=None, op_kwargs=None, constant=None, out=None):
    """Run the operation ``Op`` on ``input_vars`` and return the resulting tensor.

    Inputs that are not tensors are treated as constants.  The result is a
    constant if ``constant=True``, if its dtype is not floating, or if every
    input that the operation records is a constant.

    Parameters
    ----------
    Op : type[Operation]
        The operation class; it is instantiated once for this call.
    *input_vars : ArrayLike
        The inputs, passed to ``Op.__call__`` as tensors.
    op_args, op_kwargs : optional
        Extra positional / keyword arguments for ``Op.__call__``.
    constant : bool, optional
        Force the result to be (or not be) a constant.
    out : numpy.ndarray | Tensor, optional
        Where to write the result.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.operation_base import Operation
    >>> class Square(Operation):
    ...     def __call__(self, x):
    ...         self.variables = (x,)
    ...         return x.data ** 2
    ...     def backward_var(self, grad, index, **kwargs):
    ...         return 2 * self.variables[0].data * grad
    >>> x = mg.tensor(3.0)
    >>> y = mg.execute_op(Square, x)
    >>> y.backward()
    >>> x.grad
    array(6.)
    """
    return execute_op_as(None, Op, input_vars, op_args, op_kwargs, constant, out)


def execute_op_as(cls, Op, tuple input_vars, op_args=None, op_kwargs=None, constant=None, out=None):
    """``execute_op`` with a result of type ``cls`` (a Tensor subclass; None: Tensor).

    ``Tensor._op`` - the classmethod behind MyGrad's operators - calls this, so
    that ``p * 2`` is a ``Param`` for ``class Param(Tensor)``, as in MyGrad.
    """
    if out is not None:
        hook = _out_hook
        if hook is None:
            raise NotImplementedError("out= is not supported yet")
        return hook(Op, input_vars, op_args, op_kwargs, constant, out, cls)
    tensors = tuple([_as_tensor(x, cls) for x in input_vars])
    return _run_op(Op, tensors, op_args, op_kwargs, constant, cls)


# A Python-level handler for ``out=`` (in-place semantics); installed by the
# tensor layer so the engine stays free of view bookkeeping.
cdef object _out_hook = None


def set_out_hook(hook):
    global _out_hook
    _out_hook = hook


cpdef TensorBase run_op(object Op, tuple tensors, object op_args=None,
                        object op_kwargs=None, object constant=None, object cls=None):
    """Run an operation on inputs that are already tensors (internal fast path).

    ``cls``: the type of the result, a subclass of Tensor (default: Tensor).
    """
    return _run_op(Op, tensors, op_args, op_kwargs, constant, cls)


cdef void _share_array_locks(TensorBase result, cnp.ndarray out, object op_kwargs, object inputs):
    """The memory locks of a new result whose array is not its own alone.

    The caller's ``out=`` array (maybe another tensor's): its locks - this result's and
    those of the tensor whose array it may be - are counted per array
    (LockCell.acquire), as MyGrad's guard tracks the array, whichever tensor holds it.
    An input's own array (a squeeze of nothing): one lock cell for both tensors, so that
    neither one's release unlocks what the other's graph uses."""
    cdef TensorBase var
    if op_kwargs is not None and (<dict>op_kwargs).get("out") is out:
        _hold_twice(out)
    for var in inputs:
        if var._data is out:
            result._lock = var._lock_cell()
            break


cdef TensorBase _run_op(object Op, tuple tensors, object op_args,
                        object op_kwargs, object constant, object cls=None):
    cdef Operation op
    cdef TensorBase var, result
    cdef bint is_const
    # MyGrad checks ``constant`` as it wraps the forward's result: the forward's own errors
    # (shapes, axes, dtypes) come first.  A forward that would write the caller's out=
    # array writes a copy of it instead when the call is going to fail (MyGrad writes it,
    # then raises).
    cdef bint bad_constant = _bad_constant(constant)
    if bad_constant and type(op_kwargs) is dict and cnp.PyArray_Check((<dict>op_kwargs).get("out")):
        target = (<dict>op_kwargs)["out"]
        scratch = np.array(target, copy=True)
        scratch.flags.writeable = target.flags.writeable   # (NumPy's read-only error first, too)
        op_kwargs = dict(op_kwargs, out=scratch)
    op = Op()
    if op_args is None and op_kwargs is None:
        uf = None if op is None else _plain_forward(type(op))
        if uf is not None:
            op._variables = tensors
            op._variables_set = True
            out = _call_ufunc(uf, tensors)
        else:
            out = op(*tensors)
    else:
        if op_kwargs is not None and not isinstance(op_kwargs, dict):
            raise TypeError(f"{op!r} argument after ** must be a mapping, not {type(op_kwargs).__name__}")
        out = op(*tensors, *(op_args or ()), **(op_kwargs or {}))
    if bad_constant:
        _check_constant(constant)
    if isinstance(out, TensorBase):
        out = (<TensorBase>out)._data
    elif not cnp.PyArray_Check(out):
        if op.can_return_view and not mgc_graph_off and not hasattr(out, "base"):
            # MyGrad reads the result's ``.base`` to tell a view: its AttributeError, named
            raise AttributeError(
                f"{type(op).__name__}.__call__ returned a {type(out).__name__}, which has no "
                f"`.base`: an operation with `can_return_view = True` must return a NumPy array")
        out = np.asarray(out)
    if mgc_graph_off:
        # no graph: as MyGrad, the result's constant flag comes from ``constant`` or
        # its dtype alone, and any array NumPy computes is accepted (complex too)
        if not cnp.PyArray_Check(out):
            out = np.asarray(out)
        result = _new_tensor(out, constant if constant is not None
                             else not _is_float_dtype(<cnp.ndarray>out), None, None, cls)
        _share_array_locks(result, <cnp.ndarray>out, op_kwargs, tensors)
        return result
    _check_real(<cnp.ndarray>out)
    if not _is_float_dtype(<cnp.ndarray>out):
        if constant is False:
            raise ValueError("Integer-valued tensors must be treated as constants.")
        is_const = True
    elif constant is not None:
        is_const = constant
    else:  # as MyGrad: constant if every input is (whatever the op records as variables)
        is_const = True
        for var in tensors:
            if not var._constant:
                is_const = False
                break

    result = _new_tensor(out, is_const, op, None, cls)
    _share_array_locks(result, <cnp.ndarray>out, op_kwargs, op._variables)
    _detach_released_views(tensors)
    if op.can_return_view:
        _register_view(result, op, op_args, op_kwargs, constant)
    _record_inputs(op, result._base is None)
    if not mgc_guard_off:
        # a view's own lock is its base's cell; as MyGrad locks only the arrays an
        # operation uses and makes, it counts as the base's own use only when the result
        # is the base's very array (a view's array was locked as it registered)
        cell = result._lock_cell()
        (<LockCell>cell).acquire(result._data is (<LockCell>cell).array)
        result._holds_self_lock = True
    return result


# ---------------------------------------------------------------------------
# views: tensors that share memory with a base tensor
# ---------------------------------------------------------------------------
# The rules are MyGrad's, which code written for it relies on:
# - An operation whose result shares memory with its input tensor makes a view.
#   Its ``.base`` is the root base, and it registers with the tensor it was taken
#   from (that tensor's ``_view_children``).
# - An in-place write into a base rebuilds the views registered with it, and the
#   views registered with those, each from its rebuilt parent (``mark_written``):
#   they keep sharing memory with the base and record their view operation on its
#   new state.
# - Clearing a graph (backward, clear_graph) forgets the views registered with
#   every tensor of that graph: a write into the base no longer reaches them.
# - A view's gradient is read off its parent's (``_view_grad``).  Once its own
#   graph is cleared it keeps the gradient it had while its base keeps the same
#   gradient, and the next time it is used in an operation it is cut off from its
#   base (``_detach_released_views``) and has a gradient of its own.
from weakref import ref as weakref_ref


cdef void _register_view(TensorBase result, Operation op, object op_args, object op_kwargs,
                         object constant):
    """Record ``result`` as a view of its input if its array shares that input's memory.

    An op whose forward shares memory may still say that its result is not
    a view by setting ``self.is_view = False`` (MyGrad's squeeze of nothing).
    A view remembers the chain of view operations that makes it from the root
    base (``_view_chain``): its gradient and the write through it are that
    chain applied to the base's gradient and data.  An input made from a Python
    number or list is never a base (nobody else can see its memory).
    """
    cdef TensorBase src, root
    if not op._variables:
        return
    src = <TensorBase>op._variables[0]
    # as MyGrad, only a NumPy view (an array with a base) can be a view: an op that hands
    # back its input's own array, or the array owning the input's memory, makes no view
    if (src._unguarded or cnp.PyArray_BASE(<cnp.ndarray>result._data) == NULL
            or _memory_owner(result._data) is not _memory_owner(src._data)
            or not getattr(op, "is_view", True)):
        return
    root = <TensorBase>src._base if src._base is not None else src
    step = (type(op), tuple(op_args) if op_args else (), dict(op_kwargs) if op_kwargs else None)
    op.replay_args = op_args if op_args is not None else ()
    op.replay_kwargs = op_kwargs if op_kwargs is not None else {}
    op.replay_force_constant = constant
    result._base = root
    result._readonly_view = src._readonly_view or getattr(type(op), "read_only_view", False)
    result._view_chain = (src._view_chain or ()) + (step,)
    result._view_steps_from_parent = (step,)
    _add_view_child(src, result)
    result._lock = src._lock_cell()        # views share the memory lock of what they view
    result._lock.add_view(result._data, result._readonly_view)


cdef void _add_view_child(TensorBase parent, TensorBase child):
    """Register the view ``child`` with the tensor ``parent`` it was taken from."""
    cdef Py_ssize_t n
    child._view_parent = weakref_ref(parent)
    if parent._view_children is None:
        parent._view_children = []
    else:
        n = len(parent._view_children)
        if n >= 32 and n & (n - 1) == 0:
            # a tensor viewed over and over (a parameter in a training loop): drop
            # the references to dead views now and then
            parent._view_children = [r for r in parent._view_children if r() is not None]
    parent._view_children.append(weakref_ref(child))


cdef list _live_children(TensorBase t):
    """The live views registered with ``t`` (dead references are dropped)."""
    cdef list out = []
    if t._view_children is not None:
        for ref in t._view_children:
            v = ref()
            if v is not None:
                out.append(v)
        t._view_children = [weakref_ref(v) for v in out] if out else None
    return out


cdef object _memory_owner(object arr):
    """The array that owns the memory ``arr`` views (following ``.base``)."""
    while cnp.PyArray_Check(arr) and cnp.PyArray_BASE(<cnp.ndarray>arr) != NULL:
        arr = <object>cnp.PyArray_BASE(<cnp.ndarray>arr)
    return arr


cdef bint _empty_view_of_writeable(cnp.ndarray arr):
    """An empty read-only NumPy view of writeable memory (its strides cannot tell a
    broadcast): MyGrad tracks such an array once an operation locks its base."""
    if cnp.PyArray_SIZE(arr) != 0 or cnp.PyArray_BASE(arr) == NULL:
        return False
    owner = _memory_owner(arr)
    return cnp.PyArray_Check(owner) and cnp.PyArray_ISWRITEABLE(<cnp.ndarray>owner)


cdef bint _is_broadcast(cnp.ndarray arr):
    cdef int i
    if cnp.PyArray_SIZE(arr) == 0:
        return False
    for i in range(cnp.PyArray_NDIM(arr)):
        if cnp.PyArray_STRIDES(arr)[i] == 0 and cnp.PyArray_DIMS(arr)[i] > 1:
            return True
    return False


cdef inline object _parent_of(TensorBase view):
    """The live tensor ``view`` was taken from (None if it is no view, or that is gone)."""
    return view._view_parent() if view._view_parent is not None else None


cdef void _detach_view(TensorBase t):
    """``t`` stops being a view: its gradient is its own from now on, and a write into
    the tensor it was taken from no longer rebuilds it."""
    cdef TensorBase parent, v
    cdef Py_ssize_t depth = len(t._view_chain) if t._view_chain is not None else 0
    p = _parent_of(t)
    if p is not None:
        parent = <TensorBase>p
        if parent._view_children is not None:
            parent._view_children = [r for r in parent._view_children if r() is not t] or None
    # the views taken from ``t`` (and from those) now have ``t`` as their base, as in MyGrad
    stack = _live_children(t)
    while stack:
        v = <TensorBase>stack.pop()
        v._base = t
        if v._view_chain is not None:
            v._view_chain = v._view_chain[depth:]
        stack.extend(_live_children(v))
    t._base = None
    t._view_chain = None
    t._view_parent = None
    t._view_steps_from_parent = None
    t._view_grad = t._view_grad_src = None
    t._readonly_view = False


cdef inline void _detach_released_views(tuple tensors):
    """A view whose graph was cleared is cut off from its base when it is used again
    (MyGrad's rule): it no longer follows writes into the base, nor its gradient."""
    cdef TensorBase var
    for var in tensors:
        if var._creator is None:
            if var._base is not None:   # (the earlier state of a view too: a view)
                _detach_view(var)


cdef bint _kept_view_grad_valid(TensorBase view):
    """Is the gradient ``view`` keeps still a view of its base's present gradient?"""
    base_grad = (<TensorBase>view._base)._materialized_grad()
    return (view._view_grad is not None and base_grad is not None
            and view._view_grad_src is base_grad)


cpdef object current_object(TensorBase t):
    """The tensor object an operation's input ``t`` is in MyGrad's eyes: ``t`` itself, or,
    for a past state of an in-place target (``split_state``), that target while it lives
    (MyGrad's operations refer to the object, whatever was written into it since)."""
    if t._hidden and t._successor is not None:
        current = t._successor()
        if current is not None:
            return current
    return t


cdef object _shape_set_step(TensorBase view):
    """The view step from the past state to ``view`` if ``view``'s shape was set in place
    (its creator's input is that past state, kept as a view of the same base by
    ``adopt_own_view``), else None."""
    cdef Operation op = <Operation>view._creator
    past = op._variables[0] if op._variables else None
    if not isinstance(past, TensorBase) or not (<TensorBase>past)._hidden \
            or (<TensorBase>past)._base is None or not hasattr(op, "replay_args"):
        return None
    return ((type(op), tuple(op.replay_args), dict(op.replay_kwargs) if op.replay_kwargs else None),)


cdef object _view_grad(TensorBase view):
    """A view's gradient: the view of its parent's gradient (MyGrad's rule).

    It is kept (``_view_grad``) as long as the base keeps the same gradient array.
    Once the view's graph is cleared it cannot be read off again: then it is the
    kept one, or None if the base's gradient has changed since.
    """
    cdef TensorBase base = <TensorBase>view._base
    if _kept_view_grad_valid(view):
        return view._view_grad
    base_grad = base._materialized_grad()
    view._view_grad = view._view_grad_src = None
    if base_grad is None or view._creator is None:
        return None
    # (the parent may have been written in place after this view was released - its op
    # was rewired to the parent's past state: as in MyGrad, whose op still refers to the
    # parent object, the gradient is read off that object's current gradient)
    past = (<Operation>view._creator)._variables[0]
    # (a view taken of an earlier state itself - ``y.creator.variables[0][...]`` - reads
    # that state's gradient, as MyGrad's view of its placeholder)
    parent_ref = view._view_parent
    parent = past if parent_ref is not None and parent_ref() is past else current_object(past)
    step = _shape_set_step(view)
    if step is not None:
        # its shape was set in place (``v.shape = ...``): as MyGrad, read it off the past
        # state it is a reshape of - itself a view, whose gradient a later backward that
        # reached it (and raised) nulls, as MyGrad's nulls its past state's
        parent_grad = _view_grad(<TensorBase>past)
        if parent_grad is None:
            return None
        vg = apply_view_chain(parent_grad, step)
    else:
        parent_grad = parent.grad
        if parent_grad is None:
            return None
        vg = apply_view_chain(parent_grad, view._view_steps_from_parent)
    view._view_grad = vg
    # kept only while it is a view of the base's gradient (MyGrad keeps it while
    # ``vg.base is base.grad``): one read off a released parent's own gradient, or the
    # base's gradient array itself (a squeeze of nothing), is read off again each time,
    # and is gone once this view's graph is (the parent's gradient may change meanwhile)
    if vg is not base_grad and _memory_owner(vg) is _memory_owner(base_grad):
        view._view_grad_src = base_grad
    return vg



def prepare_in_place_target(TensorBase t):
    """Before an in-place write into ``t``: null its gradient and, if it is a view that
    a write into its base would no longer rebuild, cut it off from its base.

    As in MyGrad, a view whose own graph was cleared (a backward pass through it),
    or that is no longer registered with its base because the base's graph was
    cleared, is written on its own: the write does not reach the base.
    (MyGrad fails with an AssertionError for a view that is unregistered while its
    base has other registered views; mygrad_c treats it like the others.)
    """
    t.null_grad(_clear_view_info=True)
    if t._base is not None and not _registered(t):
        _detach_view(t)


cdef bint _registered(TensorBase view):
    """Is ``view`` reached from its base through the views registered with each tensor?"""
    while view._base is not None:
        if not _registered_with_parent(view):
            return False
        if view._view_parent() is view._base:
            return True
        view = <TensorBase>view._view_parent()
    return False


cdef bint _registered_with_parent(TensorBase view):
    """Is ``view`` among the live views registered with the tensor it was taken from?"""
    parent = _parent_of(view)
    return parent is not None and any(v is view for v in _live_children(<TensorBase>parent))


def views_retake_error(TensorBase base):
    """The error ``mark_written(base)`` would meet taking ``base``'s views again, or None.

    A write must change nothing if it fails, and ``mark_written`` runs after the base has
    taken its new state.  Taking a view again can fail only when a shape was set under
    ``no_autodiff`` (untracked) somewhere along its chain: a view taken from a view whose
    shape was set so records steps (``v[:, 0]`` of a view set to ``(2, 1)``) that do not
    apply to that view taken again (``(2,)``).  This walks the same tree of views on plain
    arrays (the new base has the shape and dtype of ``base``), so the caller can raise
    before anything changes.
    """
    cdef dict arrays = {id(base): base._data}   # id(tensor) -> its plain array taken again
    cdef TensorBase view
    for parent, view in _view_tree(base):
        try:
            arrays[id(view)] = apply_view_chain(arrays[id(parent)], view._view_steps_from_parent)
        except (IndexError, ValueError) as error:   # (NumPy's AxisError is both)
            return error
    return None


cdef list _view_tree(TensorBase base):
    """The views registered with ``base``, and those registered with them, in turn, as
    (parent, view) pairs in pre-order: each parent before its views, siblings in the order
    they were taken (the order ``mark_written`` takes them again, so that a failure found
    by ``views_retake_error`` is the first one the write would meet)."""
    cdef list tree = []
    cdef list stack = [(base, v) for v in reversed(_live_children(base))]
    while stack:
        parent, view = stack.pop()
        tree.append((parent, view))
        stack.extend([(view, v) for v in reversed(_live_children(view))])
    return tree


def mark_written(TensorBase base, tuple prefix=None, TensorBase past=None):
    """After an in-place write into ``base``: rebuild the views registered with it.

    Each view registered with ``base``, and each registered with those, in turn, is
    taken again from its parent's new state, as MyGrad does: ``b = x[1:][:, ::2]`` is
    rebuilt from the rebuilt ``x[1:]``, so a backward pass from ``b`` runs through
    ``x[1:]`` too.  The view object keeps its identity (``split_state`` /
    ``adopt_state``), so operations that used it keep its old state.

    ``prefix``: view steps to take from ``base`` first, for views that must keep
    their shape when ``base``'s shape is set (``x.shape = ...``).  ``past``: the state
    ``base`` had before the write (``split_state``'s result); each view's own earlier
    state shows it as its ``.base``, as MyGrad's placeholder of a view is a view of its
    base's placeholder.
    """
    cdef list tree = _view_tree(base)
    cdef TensorBase parent, view, src, fresh
    if not tree:
        return
    for parent, view in tree:
        parent._view_children = None   # re-registered as each view is rebuilt
    entry = base
    if prefix:
        for Op, args, kwargs in prefix:
            entry = _run_op(Op, (entry,), args or None, kwargs, None)
    cdef dict olds = {}           # id(view) -> its earlier state (for views of views)
    for parent, view in tree:
        src = <TensorBase>entry if parent is base else parent
        fresh = src
        steps = view._view_steps_from_parent
        for Op, args, kwargs in steps:
            fresh = _run_op(Op, (fresh,), args or None, kwargs, None)
        old = split_state(view)
        if past is not None:
            # as MyGrad's placeholder of a view, the view's earlier state is a live view
            # of its base's earlier state, registered under its parent's earlier state:
            # a write into it reaches that state (and rebuilds it), a view of it is a
            # view of that state
            (<TensorBase>old)._base = past
            (<TensorBase>old)._view_chain = view._view_chain
            (<TensorBase>old)._view_steps_from_parent = steps
            _add_view_child(<TensorBase>(past if parent is base else olds[id(parent)]), <TensorBase>old)
            olds[id(view)] = old
        adopt_state(view, fresh)
        view._base = fresh._base
        view._view_chain = fresh._view_chain
        # (the steps from the tensor it is now taken from: the last of ``steps`` when there
        # are several - a view whose shape was set - made through intermediate views)
        view._view_steps_from_parent = fresh._view_steps_from_parent if fresh._base is not None else steps
        view._readonly_view = fresh._readonly_view
        if fresh._base is not None:   # the view takes the place of `fresh` among src's views
            last_parent = fresh._view_parent()
            (<TensorBase>last_parent)._view_children[-1] = weakref_ref(view)
            view._view_parent = fresh._view_parent
        else:
            view._view_parent = None


cdef inline bint _locked_by_guard(TensorBase t, cnp.ndarray arr):
    """Is ``t``'s own array ``arr`` read-only only because memory guarding locked it?"""
    return (cnp.PyArray_BASE(arr) == NULL and t._lock is not None
            and t._lock.count > 0 and t._lock.base_flipped)


def overwrite(TensorBase t, index, value):
    """``t.data[index] = value`` in ``t``'s own array, if nobody can tell; else None.

    An in-place write normally copies the array: the tensor's past state keeps
    the old values for the operations that used it.  The copy is not needed
    when no one will ever read those values: ``t`` is not a view and has no
    live views, nobody else holds its array (not the user, not an operation:
    the reference count shows exactly ``t``, its memory lock and the live past
    states that already share it), and no live operation that used ``t`` reads its
    inputs' data in backward (``Operation.backward_reads_data``).  Then the
    values are written into the array itself (a loop of element updates need not
    allocate an array per update) and the array is returned.  ``index`` must be
    a basic index, so NumPy raises any error before it writes anything.
    """
    cdef LockCell cell
    cdef cnp.ndarray arr
    cdef bint was_writeable
    if mgc_graph_off or mgc_guard_off or t._base is not None or not cnp.PyArray_Check(t._data):
        return None   # (under mem_guard_off the new array must be writeable, as in MyGrad)
    if _live_children(t):
        return None
    arr = <cnp.ndarray>t._data
    if cnp.PyArray_BASE(arr) != NULL:
        return None
    cell = t._lock_cell()
    # references: `t`, the lock cell, the live past states that share it (counted
    # exactly: they uncount themselves when freed or given their own array), and
    # `arr` here - any other holder (the user) means the old values can be seen
    if Py_REFCNT(arr) != 3 + cell.past_refs:
        return None
    if t._consumers is not None:
        for consumer in t._consumers:
            ref = PyWeakref_GetObject(consumer)
            if ref != <PyObject*>None and getattr(<object>ref, "backward_reads_data", True):
                return None
    was_writeable = cnp.PyArray_ISWRITEABLE(arr)
    if not was_writeable and not _locked_by_guard(t, arr):
        return None  # read-only by the user's choice, not by memory guarding
    old_values = arr[index]  # only the region written is kept for the past state
    if cnp.PyArray_Check(old_values):
        old_values = np.array(old_values)  # (a view: copy it; an element is a copy already)
    if not was_writeable:
        cnp.PyArray_ENABLEFLAGS(arr, cnp.NPY_ARRAY_WRITEABLE)
    try:
        arr[index] = value
    finally:
        if not was_writeable:
            cnp.PyArray_CLEARFLAGS(arr, cnp.NPY_ARRAY_WRITEABLE)
    cell.past_refs += 1   # the state before this write keeps referring to `arr`
    if cell.undo is None:
        cell.undo = []
    cell.undo.append((index, old_values))
    t._overwritten_at = len(cell.undo)  # the state that split_state hides next is the one before it
    return arr


cdef void _restore_overwritten(TensorBase t):
    """Give a past state its own array again: the shared array with the values that
    later overwrites replaced put back (newest first).  Only introspection needs
    this (``t.creator.variables``, graph pictures): no operation that reads data
    in backward used an overwritten state."""
    cdef LockCell cell = t._lock
    cdef Py_ssize_t j
    arr = np.array(cell.array)
    for j in range(len(cell.undo) - 1, t._undo_from - 2, -1):
        index, values = cell.undo[j]
        arr[index] = values
    if cell.count > 0:
        # read-only while the graph that uses the state holds its lock, and writeable
        # again with the block's other arrays when that lock is released (as MyGrad's
        # placeholder, which a program may write into once it reads it as an op's input;
        # also when first read under mem_guard_off: it stands in for the locked array)
        cell.add_view(arr, False, True)
    t._data = arr
    t._undo_from = 0
    cell.past_refs -= 1


def is_readonly_view(TensorBase t) -> bool:
    """True for views that are read-only by design (broadcast_to and views of it)."""
    return t._readonly_view


def is_guard_locked(TensorBase t) -> bool:
    """True if ``t``'s array is read-only only because memory guarding locked it (by a
    lock of ``t``'s own, or as the owner of memory that locked tensors view)."""
    cdef LockCell cell = t._lock
    if cell is not None and cell.count > 0:
        if cell.array is t._data:
            if cell._guards_base():
                return True
        elif cell._has_flipped(t._data):
            # a view (or a view cut off its base) sharing its base's lock: only if the
            # lock made this very array read-only (not one made read-only, e.g. under
            # mem_guard_off, from an array that was locked already)
            return True
    if _owner_locks:
        entry = _owner_locks.get(id(t._data))
        if entry is not None and entry[0] is t._data and entry[2]:
            return True
    if mgc_guard_flipped_has(<void*>t._data):
        return True   # another tensor's lock on this very array
    # released by its own lock, but read-only until the owner of its memory is (a lock of
    # a tensor viewing that memory holds it): still locked by the guard
    return cnp.PyArray_Check(t._data) and _waits_for_owner(<cnp.ndarray>t._data)


def was_guard_locked(TensorBase t) -> bool:
    """True if the guard has tracked ``t``'s array at some time - a graph's lock made it
    read-only, or it was read-only through its owner array (MyGrad then writes the tensor
    in place into a new array, also after the lock is gone); not for memory read-only by
    design that no array owns (np.frombuffer of bytes), which MyGrad's guard leaves alone
    (a write into it raises)."""
    return t._lock is not None and t._lock.ever and t._lock.array is t._data


def apply_view_chain(arr, tuple chain):
    """Apply a view's chain of view operations to a plain array (e.g. its base's gradient)."""
    cdef Operation op
    if chain is None:
        return arr
    for Op, args, kwargs in chain:
        op = Op()
        t = _new_tensor(arr, True, None, None)
        arr = op(t, *args, **(kwargs or {}))
    return arr


cdef inline void _add_consumer(TensorBase var, object consumer):
    cdef Py_ssize_t n
    if var._consumers is None:
        var._consumers = [consumer]
        _untrack(var._consumers)
        return
    n = len(var._consumers)
    if n >= 32 and n & (n - 1) == 0:
        # a tensor used over and over (a parameter): drop references to dead
        # operations now and then, so the list stays proportional to the live ones
        var._consumers = [c for c in var._consumers if PyWeakref_GetObject(c) != <PyObject*>None]
        _untrack(var._consumers)
    var._consumers.append(consumer)


cdef void _rewire_consumers(TensorBase target, TensorBase old):
    """Point every live operation that took the object ``target`` as an input at
    ``old`` (the state ``target`` had), so that no graph refers to the object
    ``target`` after it is rebound - the new state's graph may use those operations,
    and a reference to ``target`` there would be a cycle."""
    cdef Operation op
    cdef Py_ssize_t i
    cdef list variables
    # (a past state written in place - the user's ``c.variables[0][...] = v`` - has the
    # operations that took it as an input among its _past_consumers)
    consumers = target._consumers
    if target._past_consumers is not None:
        consumers = target._past_consumers + (consumers or [])
        target._past_consumers = None
    if consumers is None:
        return
    for consumer in consumers:
        ref = PyWeakref_GetObject(consumer)
        if ref == <PyObject*>None:
            continue
        op = <Operation><object>ref
        variables = None
        for i in range(len(op._variables)):
            if op._variables[i] is target:
                if variables is None:
                    variables = list(op._variables)
                variables[i] = old
        if variables is not None:
            op._variables = tuple(variables)
            _untrack(op._variables)
            if old._past_consumers is None:
                old._past_consumers = []
                _untrack(old._past_consumers)
            old._past_consumers.append(consumer)   # (_unreadable asks who can reach `old`)
    target._consumers = None


cdef inline void _record_inputs(Operation op, bint null_grads=True):
    """Bookkeeping when ``op`` joins the graph.

    Using a tensor in a new operation nulls its stale gradient (taking a view
    does not, as in MyGrad; nor does copying a graph); the op
    remembers each input's version (to detect graphs cleared or rebound under
    it) and, with memory guarding on, locks each input's array.
    """
    cdef TensorBase var
    cdef list versions = []
    cdef list cells
    cdef object consumer = None
    for var in op._variables:
        if null_grads:
            var._grad = None
            var._view_grad = var._view_grad_src = None   # (a view reads its parent's again)
        if var._version == 0:
            var._version = _new_version()
        versions.append(var._version)
        if not var._unguarded:  # (a private constant is never written in place)
            if consumer is None:
                consumer = PyWeakref_NewRef(op, None)
                _untrack(consumer)
            _add_consumer(var, consumer)
    op._versions = tuple(versions)
    # like tensors, operations and their bookkeeping stay out of the cyclic
    # collector's sight (see _new_tensor)
    _untrack(op)
    _untrack(op._variables)
    _untrack(op._versions)
    if not mgc_guard_off:
        cells = []
        for var in op._variables:
            if var._unguarded:
                continue
            cell = var._lock_cell()
            (<LockCell>cell).acquire(var._data is (<LockCell>cell).array)
            if var._data is not (<LockCell>cell).array:
                # the view's own array too (one made under mem_guard_off is not among the
                # views the lock knows of), as MyGrad locks every array an operation uses
                (<LockCell>cell).lock_used_view(<cnp.ndarray>var._data)
            cells.append(cell)
        op._locked = tuple(cells)
        _untrack(op._locked)


# ---------------------------------------------------------------------------
# broadcast reduction: undo NumPy broadcasting in a gradient
# ---------------------------------------------------------------------------
cpdef reduce_broadcast(grad, tuple var_shape):
    """Sum ``grad`` over the axes that broadcasting added to reach ``var_shape``.

    If an input of shape ``var_shape`` was broadcast to ``grad.shape`` in the
    forward pass, each of its elements was used once per broadcast copy, so its
    gradient is the sum over those copies: over the leading axes that
    broadcasting prepended, and (keeping the axis) over every axis where
    ``var_shape`` has length 1 but ``grad`` does not.

    Raises ValueError when ``var_shape`` does not broadcast to ``grad.shape``.

    Examples
    --------
    >>> import numpy as np
    >>> from mygrad_c.operation_base import reduce_broadcast
    >>> grad = np.ones((4, 3, 2))
    >>> reduce_broadcast(grad, (3, 1))
    array([[8.],
           [8.],
           [8.]])
    >>> reduce_broadcast(grad, ())
    array(24.)
    """
    cdef cnp.ndarray g = grad if cnp.PyArray_Check(grad) else np.asarray(grad)
    cdef Py_ssize_t gnd = cnp.PyArray_NDIM(g)
    cdef Py_ssize_t vnd = len(var_shape)
    cdef Py_ssize_t lead = gnd - vnd
    cdef Py_ssize_t i, gdim, vdim
    cdef cnp.npy_intp* gshape = cnp.PyArray_DIMS(g)
    if lead < 0:
        raise ValueError(
            f"a gradient of shape {(<object>g).shape} cannot be reduced to shape {var_shape}")
    # fast exit: nothing was broadcast
    if lead == 0:
        for i in range(gnd):
            if gshape[i] != <cnp.npy_intp>var_shape[i]:
                break
        else:
            return g
    cdef list lead_axes = list(range(lead))
    cdef list kept_axes = []
    for i in range(vnd):
        vdim = var_shape[i]
        gdim = gshape[lead + i]
        if vdim == gdim:
            continue
        if vdim == 1:
            kept_axes.append(i)   # (its index once the prepended axes are summed away)
        else:
            raise ValueError(
                f"a gradient of shape {(<object>g).shape} cannot be reduced to shape {var_shape}")
    # MyGrad's order (the prepended axes first, then the kept ones): the sums round alike,
    # also in float16
    out = g
    if lead_axes:
        out = np.add.reduce(out, axis=tuple(lead_axes))
    if kept_axes:
        out = np.add.reduce(out, axis=tuple(kept_axes), keepdims=True)
    return out if cnp.PyArray_Check(out) else np.asarray(out)


cdef str _describe_grad(object g):
    if cnp.PyArray_Check(g):
        return f"an array of shape {(<object>g).shape} and dtype {(<object>g).dtype}"
    return f"a {type(g).__name__}"


cdef object _validated_grad(Operation op, object g, Py_ssize_t index, TensorBase var):
    """Check that a backward_var result is a real array and reduce it to var's shape.

    As in MyGrad, a gradient is a NumPy array or a real scalar - not a tensor - with
    at least as many dimensions as the input (fewer: ValueError); one that does not
    broadcast-reduce to the input's shape is refused with InvalidGradient (MyGrad fails
    an internal assertion there)."""
    if not cnp.PyArray_Check(g):
        if isinstance(g, (int, float, np.number)) and not isinstance(g, (complex, np.complexfloating)):
            g = np.asarray(g)
        else:
            raise InvalidGradient(
                f"An invalid gradient-value was passed to:\n\t"
                f"`{type(op).__name__}.backward_var(<gradient>, index={index})`\n"
                f"Gradients are expected to be real-valued scalars or numpy arrays, "
                f"got a gradient of type: {type(g)}")
    if not _is_real_dtype(<cnp.ndarray>g):
        raise InvalidGradient(
            f"An invalid gradient-value was passed to:\n\t"
            f"`{type(op).__name__}.backward_var(<gradient>, index={index})`\n"
            f"Gradients are expected to be real-valued scalars or numpy arrays, "
            f"got a gradient of dtype: {g.dtype}")
    var_shape = (<object>var._data).shape
    if _overrides_post_process(op):
        # as MyGrad, an operation's own ``grad_post_process_fn`` turns every gradient its
        # backward_var returns into its input's (in place of the broadcast reduction)
        g = op.grad_post_process_fn(g, var_shape)
        if isinstance(g, np.generic):   # (a NumPy scalar: what a 0-d array's arithmetic gives)
            g = np.asarray(g)
        if not cnp.PyArray_Check(g) or (<object>g).shape != var_shape or not _is_real_dtype(g):
            raise InvalidGradient(
                f"`{type(op).__name__}.grad_post_process_fn(<gradient>, {var_shape})` returned "
                f"{_describe_grad(g)}, not a real array of that shape (input {index})")
        return g
    if (<object>g).shape != var_shape:
        if cnp.PyArray_NDIM(<cnp.ndarray>g) < len(var_shape):
            raise ValueError(
                f"`{type(op).__name__}.backward_var(<gradient>, index={index})` returned "
                f"a gradient of {cnp.PyArray_NDIM(<cnp.ndarray>g)} dimension(s), shape "
                f"{(<object>g).shape}, for an input of {len(var_shape)}, shape {var_shape}: "
                f"a gradient has at least as many dimensions as its input"
                + _reshaped_input_hint(g, var_shape))
        try:
            g = reduce_broadcast(g, var_shape)
        except ValueError:
            raise InvalidGradient(
                f"`{type(op).__name__}.backward_var(<gradient>, index={index})` returned "
                f"a gradient of shape {(<object>g).shape}, which does not broadcast-reduce to the "
                f"shape of that input, {var_shape}" + _reshaped_input_hint(g, var_shape)) from None
    return g


cdef str _reshaped_input_hint(cnp.ndarray g, tuple var_shape):
    """The likely cause of a gradient of the input's size in another shape: the input's
    ``.shape`` was set (under ``no_autodiff``, which records no Reshape) after the
    operation used it.  MyGrad fails there too (an AssertionError or an IndexError)."""
    if cnp.PyArray_SIZE(g) != int(np.prod(var_shape, dtype=np.intp)):
        return ""
    return ("; the gradient has the input's size: was the input's `.shape` set after this "
            "operation used it (under no_autodiff)? Set it before building the graph")


# ---------------------------------------------------------------------------
# the backward pass
# ---------------------------------------------------------------------------
cdef inline void _check_input(Operation op, Py_ssize_t index, TensorBase var) except *:
    """Refuse to back-propagate into an input whose graph was cleared since ``op`` used it.

    An input whose version differs from the one ``op`` recorded was cleared (or rebound:
    then ``op`` was rewired to its past state and never sees it).  As in MyGrad, this is
    allowed while some live operation has used it since (MyGrad checks that the tensor
    takes part in any operation at all).
    """
    cdef tuple versions = op._versions
    if versions is None or var._constant or var._version == <Py_ssize_t>versions[index]:
        return
    if not _used_since_cleared(var):
        raise InvalidBackprop(
            "Part of the computational graph containing this tensor, "
            f"{var!r}, was 'cleared' prior to backprop.\n"
            "It is recommended that you clear all computational graphs "
            "and restart your computation.")


cdef bint _used_since_cleared(TensorBase var):
    """Has a live operation taken ``var`` as an input since its graph was last cleared?"""
    cdef Operation op
    cdef Py_ssize_t j
    if var._consumers is None:
        return False
    for consumer in var._consumers:
        ref = PyWeakref_GetObject(consumer)
        if ref == <PyObject*>None:
            continue
        op = <Operation><object>ref
        if op._versions is None:
            continue
        for j in range(len(op._variables)):
            if op._variables[j] is var and <Py_ssize_t>op._versions[j] == var._version:
                return True
    return False


cdef void _guard_private_constants(Operation op):
    """``op``'s inputs are read through ``op.variables``: a private constant it made from
    a Python number (never locked, as nobody could write it) can now be written and used
    by the caller, so it is an ordinary tensor from here on - locked by the operations
    that use it, ``op`` too while it lives if it was made with the guard on - as MyGrad
    locks every input."""
    cdef TensorBase var
    consumer = None
    for var in op._variables:
        if var._unguarded:
            var._unguarded = False
            # (an in-place write into it rewires ``op`` to its earlier state, as for any input)
            if consumer is None:
                consumer = PyWeakref_NewRef(op, None)
                _untrack(consumer)
            _add_consumer(var, consumer)
            if op._locked is not None:
                cell = var._lock_cell()
                (<LockCell>cell).acquire(var._data is (<LockCell>cell).array)
                op._locked = op._locked + (cell,)


cdef object _no_variables(Operation op):
    return AttributeError(
        f"'{type(op).__name__}' object has no attribute 'variables' (an Operation's "
        f"__call__ must set `self.variables` to the tensors it computes with)")


cdef inline tuple _creator_inputs(TensorBase node):
    """The tensors ``node``'s operation recorded as its inputs (its ``variables``)."""
    cdef Operation op = <Operation>node._creator
    if not op._variables_set:
        raise _no_variables(op)
    return op._variables


cdef list _topological_order(TensorBase root, bint check=True, list constants=None):
    """The nodes that ``root`` depends on, each after all of its inputs.

    With ``check`` (for back-propagation) the walk does not go through a constant
    (no gradient flows into it): constants with a history are put in ``constants``
    instead, for their graphs to be cleared afterwards.  Clearing a graph (no
    ``check``) walks every input.

    Iterative post-order depth-first search.  The stack holds (node, next input
    index) pairs; a node is emitted once all of its inputs have been explored.
    """
    cdef list order = []
    cdef Py_ssize_t mark = _new_version()
    cdef list stack_nodes = [root]
    cdef list stack_pos = [0]
    root._mark = mark
    root._graph_refs = 0
    cdef TensorBase node, child
    cdef Py_ssize_t pos
    cdef tuple inputs
    while stack_nodes:
        node = <TensorBase>stack_nodes[-1]
        pos = stack_pos[-1]
        if node._creator is None:
            inputs = ()
        elif check and node._constant:
            # (as MyGrad: the inputs of a constant are not back-propagated into - their
            # gradients stay as they are - and may have been cleared since)
            inputs = ()
            if pos == 0:
                constants.append(node)
        else:
            inputs = _creator_inputs(node)
        while pos < len(inputs):
            child = <TensorBase>inputs[pos]
            pos += 1
            if child._mark == mark:
                child._graph_refs += 1
                continue
            child._mark = mark
            child._graph_refs = 1
            stack_pos[-1] = pos
            stack_nodes.append(child)
            stack_pos.append(0)
            break
        else:
            stack_nodes.pop()
            stack_pos.pop()
            order.append(node)
    return order


# id(Operation subclass) -> (is it defined outside mygrad_c?, a weak reference to the class
# whose callback drops the entry: a class defined in a loop is not kept alive, and a new
# class at a reused address is not taken for it)
cdef dict _foreign_ops = {}


def _forget_op_class(ref):
    for key, entry in list(_foreign_ops.items()):
        if entry[1] is ref:
            del _foreign_ops[key]


# mygrad_c's own elementwise operations (``ufuncs.UfuncOp``) whose forward is the NumPy ufunc
# alone and whose backward is their ``_derivative``: the engine calls those directly, which
# saves the Python frames of ``UfuncOp.__call__``/``backward_var`` (about 1 us an operation,
# a tenth of a small one).  Registered by ``mygrad_c.ufuncs``.
cdef object _UfuncOp = None
cdef object _parallel = None   # mygrad_c._parallel: its ufunc_call splits large passes


def set_ufunc_base(UfuncOp, parallel):
    global _UfuncOp, _parallel
    _UfuncOp, _parallel = UfuncOp, parallel
    _foreign_ops.clear()


cdef inline tuple _op_class_entry(object cls):
    """(foreign, weak reference, overrides grad_post_process_fn, plain ufunc, plain
    backward) for an operation class, computed once per class.

    foreign: written outside mygrad_c (a user's own).  plain ufunc: for mygrad_c's own
    ``UfuncOp`` classes that keep its ``__call__``, the NumPy ufunc their forward pass
    calls (else None).  plain backward: such a class keeps ``UfuncOp.backward_var``, so its
    gradient is ``_derivative(grad, index)`` (masked when ``where=`` was given)."""
    entry = _foreign_ops.get(id(cls))
    if entry is None:
        foreign = not (cls.__module__ or "").startswith("mygrad_c")
        ours = not foreign and _UfuncOp is not None and issubclass(cls, _UfuncOp)
        uf = getattr(cls, "numpy_ufunc", None)
        entry = _foreign_ops[id(cls)] = (
            foreign, PyWeakref_NewRef(cls, _forget_op_class),
            foreign and cls.grad_post_process_fn is not Operation.grad_post_process_fn,
            uf if ours and cls.__call__ is _UfuncOp.__call__ and type(uf) is np.ufunc else None,
            ours and cls.backward_var is _UfuncOp.backward_var)
    return <tuple>entry


cdef inline bint _is_foreign(Operation op):
    """Is ``op`` of an Operation class written outside mygrad_c (a user's own)?  Such an
    operation may write into the ``grad`` it is given, as MyGrad lets it."""
    return _op_class_entry(type(op))[0]


cdef inline bint _overrides_post_process(Operation op):
    """Does ``op``'s class (a user's own) define its own ``grad_post_process_fn``?"""
    return _op_class_entry(type(op))[2]


cdef inline object _plain_forward(object cls):
    """The NumPy ufunc that is the whole forward pass of the operation class ``cls`` (or None)."""
    return _op_class_entry(cls)[3]


cdef inline object _current_data(TensorBase t):
    """``t.data``: a past state whose array a later element write changed in place
    (``overwrite``) gets its own array, with its values, back first."""
    if t._undo_from:
        _restore_overwritten(t)
    return t._data


cdef object _call_ufunc(object uf, tuple tensors):
    """``uf`` on the tensors' arrays (``t.data``), as ``UfuncOp.__call__`` computes it: large
    arrays go through ``_parallel.ufunc_call`` (which may split the pass over threads)."""
    cdef Py_ssize_t limit = _parallel.MIN_SIZE
    arrays = [_current_data(<TensorBase>v) for v in tensors]
    for a in arrays:
        if cnp.PyArray_SIZE(<cnp.ndarray>a) >= limit:
            return _parallel.ufunc_call(uf, *arrays)
    return uf(*arrays)


cdef inline object _backward_var(Operation op, object g, Py_ssize_t index):
    """``op.backward_var(g, index)``; for mygrad_c's plain elementwise operations without a
    ``where=`` mask, their ``_derivative`` called directly (what ``backward_var`` returns)."""
    if _op_class_entry(type(op))[4] and op.where is True:
        return op._derivative(g, index)
    return op.backward_var(g, index)


cdef extern from "Python.h":
    Py_ssize_t _refcount "Py_REFCNT"(PyObject *o)


cdef inline bint _exclusively_ours(object g):
    """Is ``g`` an array that nobody but the caller's one reference can see?  Then the
    engine may add into it in place (an op's freshly allocated gradient usually is)."""
    return (cnp.PyArray_Check(g) and Py_REFCNT(g) == 1
            and cnp.PyArray_BASE(<cnp.ndarray>g) == NULL
            and cnp.PyArray_ISWRITEABLE(<cnp.ndarray>g))


cdef inline bint _private_buffer(object g):
    """May an operation write its result into ``g``?  Yes if ``g`` is exclusively ours,
    or a view (a reshape, say) of a writeable array that only ``g`` holds - as a
    pooling or convolution backward returns."""
    cdef PyObject *base
    if _exclusively_ours(g):
        return True
    if not (cnp.PyArray_Check(g) and Py_REFCNT(g) == 1
            and cnp.PyArray_ISWRITEABLE(<cnp.ndarray>g)):
        return False
    base = <PyObject*>cnp.PyArray_BASE(<cnp.ndarray>g)
    # (the refcount is read before any Python reference to the base is taken)
    return (base != NULL and _refcount(base) == 1 and type(<object>base) is np.ndarray
            and cnp.PyArray_BASE(<cnp.ndarray><object>base) == NULL
            and cnp.PyArray_ISWRITEABLE(<cnp.ndarray><object>base))


cdef inline void _accumulate(TensorBase var, object g, bint owned=False):
    """Add ``g`` into ``var``'s pending gradient, copying only when needed.

    ``owned``: ``g`` is exclusively the engine's, so later contributions may be
    added into it in place.  As in MyGrad, a gradient is held in its tensor's dtype
    from its first contribution on (a float32 tensor's gradient is summed, and passed
    on, in float32): the first contribution is cast to it, and a later one of another
    dtype is added in the wider dtype and the sum cast back - MyGrad's rounding, bit
    for bit (casting the contribution first would round twice).
    """
    dtype = (<cnp.ndarray>var._data).dtype
    if var._pending is None:
        if cnp.PyArray_Check(g) and (<cnp.ndarray>g).dtype != dtype:
            g = (<cnp.ndarray>g).astype(dtype)
            owned = True
        var._pending = g
        var._pending_owned = owned
        return
    if var._pending_owned:
        try:
            np.add(var._pending, g, out=var._pending, casting="unsafe")
            return
        except (TypeError, ValueError):  # shape promotion: fall back to a new array
            pass
    total = np.asarray(var._pending + g)
    if total.dtype != dtype and total.dtype.kind == "f" and dtype.kind == "f":
        total = total.astype(dtype)
    var._pending = total
    var._pending_owned = cnp.PyArray_ISWRITEABLE(<cnp.ndarray>total) and \
        cnp.PyArray_BASE(<cnp.ndarray>total) == NULL


cdef object _seed_gradient(TensorBase root, object grad):
    data = root._data
    if grad is None:
        if cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray>data):
            g = np.empty(data.shape, data.dtype)   # (np.ones_like's array, without its wrapper)
            g.fill(1)
            return g
        return np.ones_like(data)   # (the root's memory layout, as MyGrad's seed has it)
    if isinstance(grad, TensorBase):
        grad = (<TensorBase>grad)._data
    # a private copy, in the root's dtype (as MyGrad): gradients derived from it may be
    # handed out as views of it, so nobody else may hold it.  (NumPy's conversion
    # raises MyGrad's errors: TypeError for a complex number, ValueError for a string.)
    g = np.array(grad, dtype=data.dtype)
    if g.shape != data.shape:
        try:
            if g.ndim > data.ndim:
                raise ValueError
            g = np.array(np.broadcast_to(g, data.shape))
        except ValueError:
            raise ValueError(
                "`tensor.backward(grad)` was passed a gradient with an incompatible shape.\n"
                f"`grad` must be broadcast-compatible with `tensor.shape={data.shape}`\n"
                f"Got `grad.shape={g.shape}`") from None
    return g


cpdef backward(TensorBase root, object grad=None):
    """Back-propagate from ``root``; see the module docstring for the algorithm."""
    cdef list order
    cdef TensorBase node
    if mgc_graph_off:
        return   # (as MyGrad: no graph is recorded, none is back-propagated or cleared)
    if root._constant:
        _clear_graph(root)
        return
    try:
        seed = _seed_gradient(root, grad)
    except BaseException:
        # as MyGrad, whose backward nulls the gradients of its graph's tensors before it
        # checks the gradient given: a refused gradient leaves them all None (a view's too,
        # whose base is in the graph: ``v = x[::-1]; v.backward(bad)`` nulls x.grad)
        for node in _topological_order(root, False):
            node.null_grad()
        raise
    cdef list constants = []
    order = _topological_order(root, True, constants)
    cdef bint release = _may_release_as_it_goes(order)
    try:
        _propagate(root, seed, order, release)
    except BaseException:
        # as MyGrad: the gradients computed before the error are kept (the others are
        # None) and the graph stays as it was (what was released, nobody can reach)
        _commit(root, _kept(order, release))
        raise
    order = _kept(order, release)
    _commit(root, order)
    for node in constants:
        _clear_graph(node)
    _clear_nodes(order)


cdef void _commit(TensorBase root, list order):
    """Step 3 of the module docstring: each node's pending gradient becomes its ``.grad``.

    Each tensor gets an array of its own dtype and memory: a pass-through op (add,
    reshape, ...) hands the same array (or a view of it) to its inputs.  A read-only
    view (e.g. the broadcast gradient of a sum) is kept as it is and copied when first
    read (``_materialized_grad``), unless some tensor's writeable gradient owns its
    memory.
    """
    cdef TensorBase node
    cdef dict owners = {}   # id(memory owner) -> the tensor whose writeable grad it is
    cdef list lazy = []
    cdef TensorBase claimer
    for node in order:
        g = node._pending
        node._pending = None
        node._grad_lazy = False
        if node._base is not None:
            # a view's gradient is read off its parent's afresh (MyGrad): a released
            # view, back-propagated from, must not keep the one of an earlier backward
            node._view_grad = node._view_grad_src = None
        if g is None:
            node._grad = None
            continue
        if not cnp.PyArray_Check(g):
            g = np.asarray(g)
        if node is not root and (<cnp.ndarray>g).dtype != (<cnp.ndarray>node._data).dtype:
            g = g.astype((<cnp.ndarray>node._data).dtype)
        elif not cnp.PyArray_ISWRITEABLE(<cnp.ndarray>g):
            node._grad = g
            node._grad_lazy = True
            lazy.append(node)
            continue
        elif not cnp.PyArray_ISCARRAY_RO(<cnp.ndarray>g) or id(_memory_owner(g)) in owners:
            g = np.array(g)   # never hand out a strided view or a shared array
        owners[id(_memory_owner(g))] = node
        node._grad = g
    for node in lazy:
        key = id(_memory_owner(node._grad))
        if key in owners:
            claimer = <TensorBase>owners[key]
            if cnp.PyArray_SIZE(<cnp.ndarray>claimer._grad) <= 4096:
                # a small writeable owner (typically the root's seed) takes the copy instead
                claimer._grad = np.array(claimer._grad)
                del owners[key]
            else:
                node._grad = np.array(node._grad)
                node._grad_lazy = False


cdef bint _unreadable(TensorBase node):
    """During ``_propagate``: can nobody outside the graph reach ``node`` to read its
    gradient?  Only `order`, the propagation loop and the graph's operations hold it,
    and none of the operations that took it as an input is held from outside either
    (``c = z.creator`` reaches it as ``c.variables[0]``, as in MyGrad; such an
    operation is referenced by more than its result's ``creator``)."""
    if Py_REFCNT(node) != 2 + node._graph_refs:
        return False
    return not (_any_held(node._consumers) or _any_held(node._past_consumers))


cdef inline bint _any_held(list consumers):
    """Is any live operation among ``consumers`` (weak references) held from outside?"""
    cdef PyObject *obj
    if consumers is None:
        return False
    for consumer in consumers:
        obj = PyWeakref_GetObject(consumer)
        if obj != <PyObject*>None and _refcount(obj) > 1:
            return True
    return False


# Graphs whose arrays take fewer bytes than this are not released as they go (there is
# nothing to gain; the check costs a pass over the graph).  ``set_release_bytes``.
cdef Py_ssize_t _release_bytes = 1 << 20


def set_release_bytes(Py_ssize_t nbytes):
    """Release the nodes of graphs of at least ``nbytes`` bytes of arrays during their
    backward pass (``_may_release_as_it_goes``); -1: never.  Returns the previous value.
    (The tests set 0, so that every graph they build takes that path.)"""
    global _release_bytes
    old, _release_bytes = _release_bytes, nbytes
    return old


cdef bint _may_release_as_it_goes(list order) except -1:
    """May ``_propagate`` clear the graph of each node nobody outside it can reach as soon
    as the node is passed on, rather than all of it when the pass ends?

    Nothing can look at such a node in between, and a successful pass ends by clearing
    it anyway; what it buys is memory: each operation is freed, with the arrays it holds,
    once its gradients are out.  But if the pass fails, MyGrad keeps the graph as it
    was (a retried backward walks it again; an array a user still holds stays
    read-only), and an input whose graph was cleared is back-propagated into only while
    some live operation uses it (``_check_input``: freeing operations would change the
    answer).  So only where no failure can come: no operation written outside mygrad_c
    (its backward may raise, or look at anything), no input cleared since its operation
    used it, and no NumPy floating-point error or warning turned into an exception.  And
    only for graphs of at least ``_release_bytes`` bytes of arrays.
    """
    cdef TensorBase node, var
    cdef Operation op
    cdef Py_ssize_t nbytes = 0, index
    cdef tuple versions
    if _release_bytes < 0:
        return False
    for node in order:
        nbytes += cnp.PyArray_NBYTES(<cnp.ndarray>node._data)
    if nbytes < _release_bytes:
        return False
    for node in order:
        if node._creator is None or node._constant:
            continue
        op = <Operation>node._creator
        if _is_foreign(op):
            return False
        versions = op._versions
        if versions is not None:
            for index in range(len(op._variables)):
                var = <TensorBase>op._variables[index]
                if not var._constant and var._version != <Py_ssize_t>versions[index]:
                    return False
    for action in np.geterr().values():
        if action not in ("ignore", "warn", "print"):
            return False
    for entry in warnings.filters:
        if entry[0] == "error":
            return False
    return True


cdef inline list _kept(list order, bint release):
    """``order`` without the nodes ``_propagate`` released (None there)."""
    return [node for node in order if node is not None] if release else order


cdef void _propagate(TensorBase root, object seed, list order, bint release=False) except *:
    """Step 2 of the module docstring: push ``seed`` from ``root`` back through ``order``
    (its topological order), leaving each node's gradient in ``_pending``.  With
    ``release`` (see ``_may_release_as_it_goes``), a node nobody can reach any more is
    cleared once it has been passed on, and its place in ``order`` set to None."""
    cdef TensorBase node, var
    cdef Operation op
    cdef Py_ssize_t i, index
    cdef tuple variables
    cdef bint unreadable
    root._pending = seed
    root._pending_owned = False
    for i in range(len(order) - 1, -1, -1):
        # (the previous node's operation, held here, would count for `_unreadable` as
        # one held from outside; nor is a reference to an input kept)
        op = None
        variables = var = gi = None
        node = <TensorBase>order[i]
        g = node._pending
        unreadable = node is not root and _unreadable(node)
        if unreadable:
            # nobody outside this graph can reach the node (an intermediate result nobody
            # kept, or a past state of an in-place target): its gradient can never be
            # read, it is only passed on, so the node lets go of it now - `g` may then be
            # the one reference, and an op that can reuse the buffer writes its input's
            # gradient into it (below).  Its memory is given back as soon as it has been
            # passed on: the peak of a deep network's backward pass then holds a few
            # activations' gradients, not all of them; and a loop of in-place updates
            # needs no more gradient memory than one update does.  A node that can be
            # reached (``y.creator.variables[0]``) keeps it, as MyGrad's
            node._pending = None
        if g is None or node._creator is None:
            continue
        op = <Operation>node._creator
        if cnp.PyArray_Check(g) and cnp.PyArray_SIZE(<cnp.ndarray>g) >= 256 and _is_broadcast(<cnp.ndarray>g) \
                and not op.takes_broadcast_grad:
            # a broadcast gradient (a sum's or a mean's): the operations below compute
            # several times faster on it once it is written out
            g = np.array(g)
        variables = op._variables
        if op._fast_kind and _is_f64_scalar_array(g):
            _check_input(op, 0, <TensorBase>variables[0])
            _check_input(op, 1, <TensorBase>variables[1])
            _scalar_backward(op._fast_kind, (<double*>cnp.PyArray_DATA(<cnp.ndarray>g))[0],
                             <TensorBase>variables[0], <TensorBase>variables[1])
            continue
        if _is_foreign(op):
            # A user's operation gets its output's own gradient, writeable, as in MyGrad:
            # a backward_var that writes into ``grad`` (``grad *= 2; return grad``) changes
            # that tensor's ``.grad`` and nothing else - not the array a pass-through op
            # shares with its output, nor a sum's read-only broadcast one (which raised)
            g = np.array(g)
            if not unreadable:
                node._pending = g
                node._pending_owned = False   # (what it returns may be ``g`` itself)
        for index in range(len(variables)):
            if index == op._reuse_index:
                continue  # (last, below)
            var = <TensorBase>variables[index]
            if var._constant:
                continue
            _check_input(op, index, var)
            if (var._pending is not None and var._pending_owned and op.adds_grad_into
                    and op.add_grad_into(g, index, var._pending)):
                continue  # added straight into the input's pending gradient
            try:
                gi = _backward_var(op, g, index)
            except SkipGradient:
                continue
            gi = _validated_grad(op, gi, index, var)
            _accumulate(var, gi, _exclusively_ours(gi))
        if op._reuse_index >= 0:
            index = op._reuse_index
            var = <TensorBase>variables[index]
            if not var._constant:
                _check_input(op, index, var)
                # `g` is only ours if the node dropped it (above) and no gradient
                # handed to an input above is `g` itself
                if unreadable and _private_buffer(g):
                    gi = op.backward_var_reusing(g, index)
                else:
                    gi = op.backward_var(g, index)
                g = None
                gi = _validated_grad(op, gi, index, var)
                _accumulate(var, gi, _exclusively_ours(gi))
        if (release and unreadable and Py_REFCNT(op) == 2 and not node._hidden
                and (node._base is None
                     or (Py_REFCNT(node) == 2 and not _live_children(node)))):
            # Nobody outside the graph can reach the node, and only the node holds its
            # operation: its graph is cleared now rather than when the pass ends (as it
            # would be then, and nothing can look at it before).  The operation is freed
            # with what it kept for its backward, giving back its memory locks as a
            # dropped graph does; its inputs lose the references it held (`_unreadable`
            # counts them), so that each of them, in turn, is freed with its array once
            # passed on unless something else holds it.  A past state is left to the
            # end, and so is a view that an operation still takes as its input, or that
            # has views of its own: its operation may be a link in the chain a view
            # reads its gradient through (``_view_grad``: ``c = r[...]`` reads r's).
            for var_obj in variables:
                (<TensorBase>var_obj)._graph_refs -= 1
            op = None
            variables = var = var_obj = None
            node._grad = node._view_grad = node._view_grad_src = None
            node._grad_lazy = False
            _clear_node(node)
            order[i] = None


def gradients(TensorBase root, object grad, tuple inputs):
    """The gradients of ``root`` (seeded with ``grad``; None: ones) with respect to each
    tensor of ``inputs``: arrays of their dtypes, or None for one that ``root`` does not
    depend on (or a constant).  Unlike ``backward``, no ``.grad`` is touched and the
    graph is kept; the same propagation (``_propagate``) computes them.
    """
    cdef list order
    cdef TensorBase node, t
    if root._constant:
        return (None,) * len(inputs)
    seed = _seed_gradient(root, grad)
    order = _topological_order(root, True, [])
    try:
        _propagate(root, seed, order)
        out = []
        for x in inputs:
            t = <TensorBase>x
            g = t._pending
            if g is not None and not t._constant:
                g = np.array(g, dtype=(<cnp.ndarray>t._data).dtype)
            else:
                g = None
            out.append(g)
    finally:
        for node in order:
            node._pending = None
    return tuple(out)


cdef void _clear_nodes(list nodes):
    """Clear the graph of ``nodes`` (every node a graph's root depends on).

    As in MyGrad, a view first keeps the gradient read off its base (it cannot be
    read off once its creator is gone), and every node forgets the views taken
    from it: an in-place write into it no longer rebuilds them.
    """
    cdef TensorBase node
    for node in nodes:
        if node._base is not None and node._creator is not None:
            parent = (<Operation>node._creator)._variables[0]
            if (parent is node._base or (<TensorBase>parent)._base is node._base
                    or current_object(parent) is node):   # (the last: v.shape = ... of a view)
                _view_grad(node)   # kept: it cannot be read off once the graph is gone
            elif not _kept_view_grad_valid(node):
                # its parent was cut off the base (a released view used again): as in
                # MyGrad, such a view has no gradient once its graph is cleared, unless
                # it still keeps one it read off its base's present gradient earlier
                node._view_grad = node._view_grad_src = None
    for node in nodes:
        _clear_node(node)


cdef void _clear_node(TensorBase node):
    """Clear one node (``_clear_nodes``): a new version, no views, no creator, and its
    memory lock given back (or to its operation, if the user holds that)."""
    cdef Operation op
    node._version = _new_version()
    node._view_children = None
    op = node._creator
    node._creator = None
    if node._holds_self_lock:
        node._holds_self_lock = False
        if op is not None and Py_REFCNT(op) > 1:
            # the user holds the operation (``c = y.creator``): as in MyGrad, it keeps
            # its result's memory locked while it lives, like its inputs'
            op._locked = (node._lock,) if op._locked is None else op._locked + (node._lock,)
        else:
            node._lock.release()


cpdef _clear_graph(TensorBase root):
    """Forget the history of ``root`` and of everything it was computed from."""
    if root._creator is None:
        _clear_nodes([root])
        return
    _clear_nodes(_topological_order(root, False))


# ---------------------------------------------------------------------------
# in-place rebinding: `x *= 2` keeps the object `x` but gives it a new node
# ---------------------------------------------------------------------------
cdef inline void _move_node(TensorBase dst, TensorBase src):
    """Move a node's state (array, flag, creator, memory lock) from ``src`` to ``dst``;
    ``src`` keeps its array but no longer owns the creator or the lock."""
    dst._data = src._data
    dst._constant = src._constant
    dst._creator = src._creator
    dst._lock = src._lock
    dst._holds_self_lock = src._holds_self_lock
    src._creator = None
    src._lock = None
    src._holds_self_lock = False


def split_state(TensorBase target):
    """Move ``target``'s node state into a fresh tensor and return that tensor.

    Used by in-place operations: the returned tensor stands for ``target``
    *before* the operation and becomes the operation's input, while the object
    ``target`` then adopts the result (``adopt_state``).  Every live operation
    that took the object ``target`` as an input is rewired to the returned
    tensor (``_rewire_consumers``).
    """
    cdef TensorBase old = type(target).__new__(type(target))   # (a past state keeps the type)
    _untrack(old)
    _move_node(old, target)
    _rewire_consumers(target, old)
    old._base = None   # (a view's earlier state: made a view of its base's by mark_written)
    old._hidden = True
    old._successor = weakref_ref(target)
    old._undo_from = target._overwritten_at
    target._overwritten_at = 0
    if target._version == 0:
        target._version = _new_version()
    old._version = target._version
    target._version = _new_version()
    return old


def adopt_state(TensorBase target, TensorBase new):
    """Give the object ``target`` the node state of ``new`` (the in-place result)."""
    _move_node(target, new)
    target._grad = None
    target._grad_lazy = False
    target._view_grad = target._view_grad_src = None


def take_array_view(TensorBase t, cnp.ndarray arr):
    """``t`` takes ``arr``, a NumPy view holding ``t``'s values, as its array: for
    ``t.shape = ...`` with no graph tracked, a view of its array in the new shape; after a
    write through a view, the written region's tensor takes the view of its base's new
    array (as MyGrad's shares that memory).  As in MyGrad, where ``arr`` is read-only while
    a live lock holds ``t``'s memory, it counts as locked by the guard (an in-place write
    then goes into a new array, not refused) and regains writeability when the lock is
    released, once the array owning its memory has - also when ``t``'s array was itself
    read-only only for being made under ``mem_guard_off`` from locked memory (``with
    mem_guard_off: t.shape = ...``), which MyGrad refuses to write into until the shape is
    set again so.  (MyGrad sets a shape in place, on the same array object: an array its
    guard tracks stays tracked.)  Likewise where ``t``'s array is locked as the owner of
    memory that locked tensors view (``_owner_locks``): ``arr`` waits for that lock's
    release (``_make_writeable_after_owner``) and counts as locked meanwhile."""
    cdef LockCell cell = t._lock
    cdef bint readonly = not cnp.PyArray_ISWRITEABLE(arr)
    cdef bint own_lock = cell is not None and cell.count > 0
    cdef bint owner_locked = readonly and not own_lock and is_guard_locked(t)   # (t's array, before)
    t._data = arr
    if readonly and own_lock:
        cell._flipped_view(arr)
    elif owner_locked:
        _make_writeable_after_owner(arr)


def adopt_own_view(TensorBase target, TensorBase new):
    """``adopt_state`` for a view whose shape is set in place (``v.shape = ...``): ``new``
    is a view taken of ``target`` itself.  ``target`` stays a view of the tensor it was
    taken from, one view step further - so that a write into its base rebuilds it in its
    new shape, and its gradient is read off its base's through the reshape."""
    cdef TensorBase past = <TensorBase>(<Operation>new._creator)._variables[0]
    cdef bint registered = target._base is not None and _registered(target)
    if target._base is not None and not registered and _taken_from_base(target):
        # as MyGrad, which replays the view from its base: a view released from its
        # base's registry (a graph along the way cleared) is registered again - with the
        # base itself, by its whole chain - so that a write into the base reaches it, and
        # one into its earlier state (below) reaches the base.  Only a view taken from the
        # base itself (then perhaps reshaped so): one taken from another view stays
        # released, as in MyGrad - a write into the base does not reach it, and a write
        # through it cuts it off its base
        _add_view_child(<TensorBase>target._base, target)
        target._view_steps_from_parent = target._view_chain
        registered = True
    # the past state stays a view of the same base, as MyGrad's (``v.creator.variables[0]
    # .base``): the view's gradient is read off its gradient (``_view_grad``)
    past._base = target._base
    past._view_chain = target._view_chain
    past._view_steps_from_parent = target._view_steps_from_parent
    past._readonly_view = target._readonly_view
    past._view_grad, past._view_grad_src = target._view_grad, target._view_grad_src
    adopt_state(target, new)
    target._view_chain = new._view_chain
    target._readonly_view = new._readonly_view
    past._view_parent = target._view_parent
    if registered:
        # as in MyGrad, the past state stays a live view of the base - in the target's
        # place among its parent's views, so a write into the base rebuilds it and one into
        # it reaches the base
        parent = <TensorBase>target._view_parent()
        for j, ref in enumerate(parent._view_children):
            if ref() is target:
                parent._view_children[j] = weakref_ref(past)
    # (else the past state stays released, as the view was: a write into the base passes
    # both by, and one into the past state cuts it off its base.)  Either way the target
    # is a view of its past state, one reshape further, as in MyGrad: a write into that
    # state rebuilds it from there
    register_with_past_state(target, past, new)


cdef bint _taken_from_base(TensorBase view):
    """Was ``view`` taken from its base itself - is the tensor it was taken from, past the
    earlier states of its own shape sets, the base?  (Not when such an earlier state's
    graph was cleared: MyGrad, which follows the view's creators, then stops there.  Nor
    when the base no longer has such a state registered - its own ``clear_graph()`` or
    ``backward()`` released it: MyGrad registers the reshaped view with that earlier
    state, which a write into the base then no longer reaches.)"""
    cdef TensorBase p
    parent = _parent_of(view)
    while parent is not None and parent is not view._base:
        p = <TensorBase>parent
        if not (p._hidden and p._successor is not None and p._successor() is view):
            break
        if p._creator is None or not _registered_with_parent(p):
            return False
        parent = _parent_of(p)
    return parent is not None and parent is view._base


def register_with_past_state(TensorBase target, TensorBase past, TensorBase new):
    """After ``target.shape = ...``: as in MyGrad, ``target`` - now ``new``'s reshape of its
    earlier state ``past`` - is recorded among the views of that state (a tensor that is no
    view keeps ``.base`` None), so that a write into the state (read as ``op.variables[j]``)
    rebuilds ``target`` from it, as any view of a written tensor."""
    _add_view_child(past, target)
    target._view_steps_from_parent = new._view_steps_from_parent


# ---------------------------------------------------------------------------
# the arithmetic operators, with a scalar fast path
# ---------------------------------------------------------------------------
# A long chain of operations on 0-d float64 tensors (a scalar loop) is bound by
# per-operation overhead, not arithmetic: a NumPy call on a 0-d array costs
# far more than the multiplication it performs.  So the operators below
# compute +, -, *, / of two 0-d float64 operands with C doubles, and the
# backward pass computes their gradients the same way (``_scalar_backward``).
# The operation objects are the ordinary ``Add``/``Multiply``/... classes of
# ``mygrad_c.math.arithmetic``, so the recorded graph is exactly the one the
# general path would build; every other case takes that general path.
cdef enum:
    K_ADD = 1
    K_SUB = 2
    K_MUL = 3
    K_DIV = 4

cdef object _AddOp = None
cdef object _SubOp = None
cdef object _MulOp = None
cdef object _DivOp = None


cdef object _MatMulOp = None


def set_arithmetic_ops(Add, Subtract, Multiply, Divide, MatMul):
    """Register the operation classes that the arithmetic operators record."""
    global _AddOp, _SubOp, _MulOp, _DivOp, _MatMulOp
    _AddOp, _SubOp, _MulOp, _DivOp, _MatMulOp = Add, Subtract, Multiply, Divide, MatMul


cpdef TensorBase method_op(object cls, object Op, tuple inputs, object op_args=None):
    """``Op`` run on ``inputs`` for an operator or method of a tensor of type ``cls``,
    giving a ``cls`` (MyGrad's ``cls._op(Op, *inputs)``).

    A subclass that defines its own ``_op`` sees the call, with the inputs as given;
    otherwise the operation runs directly, its inputs made tensors as ``execute_op``
    makes them (the same result, without the call)."""
    if cls is not _Tensor and routes_through_op(cls):
        if op_args is None:
            return cls._op(Op, *inputs)
        return cls._op(Op, *inputs, op_args=op_args)
    return _run_op(Op, tuple([_as_tensor(x, cls) for x in inputs]), op_args, None, None, cls)


cdef TensorBase _matmul(object a, object b, object cls):
    """``a @ b`` for the operator method of a tensor of type ``cls``."""
    return method_op(cls, _MatMulOp, (a, b))


# ---------------------------------------------------------------------------
# indexing: x[i] and x[i] = v, with a fast path for element updates
# ---------------------------------------------------------------------------
# ``mygrad_c.indexing_routines`` defines GetItem / SetItem and the general
# ``getitem`` / ``setitem`` (any index, views, no_autodiff, NumPy's errors).  The
# common case of a loop of element updates, ``x[i] = x[i] * 2`` with integer and
# slice indices on a tensor that is not a view, is bound by per-call overhead,
# so the engine runs that case itself - recording exactly the operations the
# general path records.
cdef object _getitem_py = None
cdef object _setitem_py = None


def set_indexing(getitem, setitem):
    """Register the general indexing functions (any index, views, no_autodiff)."""
    global _getitem_py, _setitem_py
    _getitem_py, _setitem_py = getitem, setitem


cdef inline bint _is_simple_index(object index):
    """An int, a slice, or a tuple of them: a basic index with nothing to normalise."""
    if type(index) is int or type(index) is slice:
        return True
    if type(index) is not tuple:
        return False
    for item in <tuple>index:
        if type(item) is not int and type(item) is not slice:
            return False
    return True


cdef object _is_basic_index = None     # (indexing_routines.indexing's helpers, registered)
cdef object _take_rows_fast = None
cdef object _scatter_add = None
cdef object _last_writer_mask = None


def set_indexing_helpers(is_basic_index, take_rows_fast, scatter_add, last_writer_mask):
    """Register the Python helpers of GetItem/SetItem's advanced-index cases."""
    global _is_basic_index, _take_rows_fast, _scatter_add, _last_writer_mask
    _is_basic_index, _take_rows_fast, _scatter_add = is_basic_index, take_rows_fast, scatter_add
    _last_writer_mask = last_writer_mask


cdef class GetItem(Operation):
    """f(x) = x[index];  df/dx scatters ``grad`` back to where each element was read.

    Basic indices give a NumPy view of ``x``'s data (no copy) and read each
    element once, so the gradient is ``grad`` added into zeros (or added
    straight into the input's pending gradient, ``add_grad_into``).  Advanced
    indices give a copy, and their gradient accumulates over repeated indices
    (the compiled scatter-add kernel of ``mygrad_c._indexing``).  Compiled, with
    ``SetItem``, because element-wise loops (``x[i] = x[i] * 2``) are bound by
    the per-operation overhead.
    """

    cdef public object index
    cdef public bint basic
    cdef public tuple shape
    cdef public object _dtype     # x's dtype: the gradient is made in it

    can_return_view = True
    adds_grad_into = True
    backward_reads_data = False  # only x's shape
    takes_broadcast_grad = True  # (the scatter-add kernel adds a repeated value as it is)

    def __call__(self, x, index):
        self.variables = (x,)
        self.index = index
        self.basic = type(index) is int or _is_basic_index(index)
        data = x.data
        self.shape = data.shape
        self._dtype = data.dtype
        if not self.basic:
            rows = _take_rows_fast(data, index)
            if rows is not None:
                return rows
        return np.asarray(data[index])

    def add_grad_into(self, grad, index, out):
        """A basic index reads each element once: add ``grad`` into ``out[index]``."""
        if not self.basic:
            return False
        if cnp.PyArray_NDIM(<cnp.ndarray>grad) == 0:
            out[self.index] += grad.item()  # (an element: a Python float adds fastest)
        else:
            out[self.index] += grad
        return True

    def backward_var(self, grad, index, **kwargs):
        if self.basic:   # (zeros in x's dtype: the engine would cast the gradient to it)
            dtype = self._dtype if self._dtype.kind == "f" else grad.dtype
            now = (<TensorBase>self._variables[0])._data.shape
            if now != self.shape:
                # x's shape was set under no_autodiff after the view was taken (no Reshape
                # recorded): as MyGrad, the gradient is scattered into x's shape now, where
                # the index and the gradient fit it (both shapes set alike, `x[...]`);
                # otherwise one of the recorded shape is returned, which the engine refuses
                # naming the cause (MyGrad crashes there)
                out = np.zeros(now, dtype=dtype)
                try:
                    out[self.index] += grad
                    return out
                except (ValueError, IndexError):
                    pass
            out = np.zeros(self.shape, dtype=dtype)
            try:
                out[self.index] += grad  # added to the zeros, as MyGrad: a -0.0 gradient gives +0.0
            except ValueError:
                # (the view's gradient does not fit the view as it was taken: its shape was set
                # under no_autodiff; MyGrad crashes there)
                raise InvalidGradient(
                    f"cannot back-propagate a gradient of shape {(<object>grad).shape} through the "
                    f"view taken of a tensor of shape {self.shape} (index {self.index!r}): was the "
                    f"view's or the tensor's `.shape` set after the view was taken (under "
                    f"no_autodiff)? Set it before building the graph") from None
            return out
        return _scatter_add(np.asarray(grad), self.index, self.shape)

    def _state(self):
        return {"index": self.index, "basic": self.basic, "shape": self.shape, "_dtype": self._dtype}


cdef class SetItem(Operation):
    """f(x, v) = x with ``x[index] = v`` written in.

    df/dx is ``grad`` with the overwritten positions zeroed; df/dv is
    ``grad[index]`` (only the last write to a repeated position counts), summed
    over the axes along which ``v`` was broadcast.  ``written`` is the result
    when the caller has already written it into x's own array (``overwrite``).
    """

    cdef public object index
    cdef public Py_ssize_t value_ndim

    backward_reads_data = False  # only the shapes

    def __cinit__(self, *args, **kwargs):
        self._reuse_index = 0  # the gradient for x is `grad` with the region zeroed

    def __call__(self, x, value, index, written=None):
        self.variables = (x, value)
        self.index = index
        self.value_ndim = cnp.PyArray_NDIM(<cnp.ndarray>(<TensorBase>value)._data)
        if written is not None:  # already written in place by `overwrite`
            return written
        out = np.array(x.data, copy=True)
        out[index] = value.data
        return out

    def backward_var(self, grad, index, **kwargs):
        if index == 0:
            g = np.array(grad, copy=True)
            g[self.index] = 0
            return g
        g = np.asarray(grad[self.index])
        if not (type(self.index) is int or _is_basic_index(self.index)):
            mask = _last_writer_mask(self.index, grad.shape).reshape(g.shape)
            g = np.where(mask, g, np.zeros((), dtype=g.dtype))
        if self.value_ndim > g.ndim:  # NumPy drops leading length-1 axes of the value
            g = g.reshape((1,) * (self.value_ndim - g.ndim) + g.shape)
        return g

    def backward_var_reusing(self, grad, index):
        """backward_var for x, zeroing the written region of ``grad`` in place."""
        grad[self.index] = 0
        return grad

    def _state(self):
        return {"index": self.index, "value_ndim": self.value_ndim}


def tensor_getitem(TensorBase t, object index):
    """``t[index]`` (``Tensor.__getitem__``)."""
    if _is_simple_index(index) and (type(t) is _Tensor or not routes_through_op(type(t))):
        return _run_op(GetItem, (t,), (index,), None, None, type(t))
    return _getitem_py(t, index)


def tensor_setitem(TensorBase t, object index, object value):
    """``t[index] = value`` (``Tensor.__setitem__``): the fast path, or the general ``setitem``."""
    cdef TensorBase v
    cdef cnp.ndarray arr
    if (mgc_graph_off or t._base is not None or not _is_simple_index(index)
            or not cnp.PyArray_Check(t._data)):
        _setitem_py(t, index, value)
        return
    arr = <cnp.ndarray>t._data
    if not cnp.PyArray_IS_C_CONTIGUOUS(arr) or not (
            cnp.PyArray_ISWRITEABLE(arr) or _locked_by_guard(t, arr)):
        _setitem_py(t, index, value)  # (it raises the right error for read-only arrays)
        return
    v = _operand(value, type(t))   # (a stale view is brought up to date first)
    del arr   # (overwrite counts the references to the array)
    written = overwrite(t, index, v._data)  # None: SetItem writes into a copy
    new = _run_op(SetItem, (t, v), (index,), {"written": written}, True if t._constant else None)
    past = split_state(t)
    adopt_state(t, new)
    mark_written(t, None, past)


cdef inline bint _is_f64_scalar_array(object a):
    return cnp.PyArray_Check(a) and cnp.PyArray_NDIM(<cnp.ndarray>a) == 0 and \
        cnp.PyArray_TYPE(<cnp.ndarray>a) == cnp.NPY_DOUBLE


cdef inline cnp.ndarray _f64_scalar(double value):
    cdef cnp.ndarray out = cnp.PyArray_EMPTY(0, NULL, cnp.NPY_DOUBLE, 0)
    (<double*>cnp.PyArray_DATA(out))[0] = value
    return out


cdef inline double _f64_value(TensorBase t):
    return (<double*>cnp.PyArray_DATA(<cnp.ndarray>t._data))[0]


cdef TensorBase _operand(object x, object cls=None):
    """An operator's operand as a tensor (of type ``cls``, see ``_as_tensor``); Python
    numbers become private constants."""
    cdef TensorBase t
    if isinstance(x, TensorBase):
        return <TensorBase>x
    if type(x) is float:
        t = _new_tensor(_f64_scalar(<double>x), True, None, None, cls)
    else:
        t = _as_tensor(x, cls)
    # an array made here from a Python number is private: nobody can write it
    t._unguarded = type(x) is float or type(x) is int or type(x) is bool
    return t


cdef object _op_class(int kind):
    if kind == K_ADD:
        return _AddOp
    if kind == K_SUB:
        return _SubOp
    if kind == K_MUL:
        return _MulOp
    return _DivOp


cdef inline object _exact_float(object other, object x):
    """A Python int ``x`` used with a 0-d float64 tensor ``other`` is the float it
    stands for (NumPy computes the same float64 result): the scalar fast path applies."""
    if (type(x) is int and isinstance(other, TensorBase)
            and _is_f64_scalar_array((<TensorBase>other)._data)
            and -9007199254740992 <= x <= 9007199254740992):
        return float(x)
    return x


@cython.cdivision(True)
cdef TensorBase _binary(int kind, object a, object b, object cls):
    """``a <op> b`` for the operator method of a tensor of type ``cls`` (MyGrad's
    operators return the type of the tensor whose method ran)."""
    cdef TensorBase ta, tb
    cdef double x, y, r
    cdef Operation op
    cdef TensorBase result
    Op = _op_class(kind)
    if cls is not _Tensor and routes_through_op(cls):
        return cls._op(Op, a, b)   # (the operands as given, as MyGrad passes them)
    ta = _operand(_exact_float(b, a), cls)
    tb = _operand(_exact_float(a, b), cls)
    if not (_is_f64_scalar_array(ta._data) and _is_f64_scalar_array(tb._data)):
        return _run_op(Op, (ta, tb), None, None, None, cls)
    x = _f64_value(ta)
    y = _f64_value(tb)
    if kind == K_ADD:
        r = x + y
    elif kind == K_SUB:
        r = x - y
    elif kind == K_MUL:
        r = x * y
    else:
        r = x / y
    if mgc_graph_off:  # (a float result with no graph: not a constant, as in _run_op)
        return _new_tensor(_f64_scalar(r), False, None, None, cls)
    result = _new_tensor(_f64_scalar(r), ta._constant and tb._constant, None, None, cls)
    op = Op.__new__(Op)
    op._variables = (ta, tb)
    op._variables_set = True
    op._fast_kind = kind
    result._creator = op
    _detach_released_views(op._variables)
    _record_inputs(op)
    if not mgc_guard_off:
        result._lock_cell().acquire()
        result._holds_self_lock = True
    return result


@cython.cdivision(True)
cdef void _scalar_backward(int kind, double g, TensorBase a, TensorBase b):
    """Gradients of a scalar +, -, *, / with respect to each non-constant input."""
    cdef double x = _f64_value(a)
    cdef double y = _f64_value(b)
    if not a._constant:
        _accumulate_f64(a, g if kind == K_ADD or kind == K_SUB else (g * y if kind == K_MUL else g / y))
    if not b._constant:
        if kind == K_ADD:
            _accumulate_f64(b, g)
        elif kind == K_SUB:
            _accumulate_f64(b, -g)
        elif kind == K_MUL:
            _accumulate_f64(b, g * x)
        else:
            _accumulate_f64(b, -g * x / (y * y))


cdef inline void _accumulate_f64(TensorBase var, double g):
    if var._pending is None:
        var._pending = _f64_scalar(g)
        var._pending_owned = True
    elif var._pending_owned and _is_f64_scalar_array(var._pending):
        (<double*>cnp.PyArray_DATA(<cnp.ndarray>var._pending))[0] += g
    else:
        _accumulate(var, _f64_scalar(g))


def set_constant(TensorBase t, bint constant):
    """Set a tensor's constant flag (an in-place write into a constant stays constant)."""
    t._constant = constant


def set_grad(TensorBase t, grad):
    """Set a tensor's gradient directly (used when copying tensors)."""
    t._grad = grad


def graft(TensorBase t, Operation op, tuple cleared=()):
    """Make ``op`` (whose ``variables`` are set) the creator of the leaf ``t`` (deep copies).

    ``cleared``: the indices of the inputs whose graph was cleared since the copied
    operation used them (``cleared_inputs``).  The copy remembers that, as MyGrad's
    deep copy does: a backward through it raises ``InvalidBackprop`` there unless an
    operation has used that input's copy since.
    """
    t._creator = op
    _record_inputs(op, False)
    if cleared:
        versions = list(op._versions)
        for j in cleared:
            versions[j] = -1        # a version no tensor has
        op._versions = tuple(versions)
        _untrack(op._versions)


def cleared_inputs(Operation op, bint every=False):
    """The indices of ``op``'s inputs that a backward through ``op`` would refuse to
    reach (see ``_check_input``): their graph was cleared since ``op`` used them.
    ``every``: all inputs whose graph was cleared since, also constants and inputs used
    again since (the program fuzzer tells MyGrad's stale operations by them)."""
    cdef tuple versions = op._versions
    cdef TensorBase var
    out = []
    if versions is None:
        return ()
    for j in range(len(op._variables)):
        var = op._variables[j]   # (a checked assignment: a user may have changed ``variables``)
        if var._version != <Py_ssize_t>versions[j] and (
                every or (not var._constant and not _used_since_cleared(var))):
            out.append(j)
    return tuple(out)


def graft_view(TensorBase t, TensorBase base, tuple chain):
    """Record ``t`` as the view ``chain`` of ``base`` (deep copies of views).  A view of a
    view hangs off its creator's input, the copied parent, by the chain's last step: its
    gradient is read off that parent's, as for the view it copies.

    The copy is not registered with its parent, as in MyGrad: MyGrad's copy of a tensor
    copies the record of its views as references to the *original* views, so a copied
    view is never among them - a write into the copied base leaves it as it is, and a
    write into it is written on its own (``prepare_in_place_target``; MyGrad's fails with
    a ``KeyError`` in its bookkeeping while the original view lives)."""
    cdef object parent = base
    cdef tuple steps = chain
    if t._creator is not None and len(chain) > 1:
        src = (<Operation>t._creator)._variables[0]
        if isinstance(src, TensorBase) and (<TensorBase>src)._base is base:
            parent, steps = src, chain[-1:]
    t._base = base
    t._view_chain = chain
    t._view_steps_from_parent = steps
    t._view_parent = weakref_ref(parent)
