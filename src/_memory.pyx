# cython: language_level=3
"""A NumPy data-memory handler that keeps large freed blocks for reuse.

Why it exists: a training step allocates the same large arrays every iteration -
activations, their gradients, the kernels' outputs.  glibc serves each block above its
mmap threshold with a fresh ``mmap`` and gives it back to the operating system on
``free``, so every step faults in (and the kernel zeroes) every page of them again: 15-20 %
of the MNIST-shaped CNN step (docs/ARCHITECTURE.md).  PyTorch keeps such memory in its
caching allocator; this is the same idea for NumPy arrays, through NumPy's own hook for it
(``PyDataMem_SetHandler``, NEP 49).

How it works: blocks of at least ``MIN_BLOCK`` bytes are rounded up to a whole number of
pages (their *size class*).  A freed block is kept, in the order it was freed, as long as
the kept blocks stay within ``limit`` bytes (the oldest are released to make room); a
request of the same size class takes the most recently freed one.  Smaller blocks go to
NumPy's default handler, untouched; so do the new large ones (it asks for huge pages for
them).  Every block comes from the C library's ``malloc`` through it, so ``realloc`` and
``free`` are the C library's.

The handler is installed for the importing thread's context when ``mygrad_c`` is imported
(threads started later use NumPy's default), keeping up to 128 MB; the environment
variable ``MYGRAD_C_MEMORY_CACHE_MB`` sets that amount (0: not installed).  ``tracemalloc`` still sees exactly the live arrays:
NumPy reports allocations to it above the handler.

One thing the cache takes from the C library it gives back at installation.  glibc serves a
request of 128 KB or more with ``mmap`` until it sees such a block freed; then it raises that
threshold to the freed block's size, and the heap's trim threshold to twice it, so that a
program's churn of mid-sized arrays stays on the heap.  With the cache, the large blocks are
kept, not freed, so glibc never learns: every step's arrays of 128-256 KB were ``mmap``-ed (or
the heap top trimmed and grown again), page-faulting each time - 90 faults and 18 % of an
MLP layer's forward and backward pass (128 x 784 @ 784 x 256, float32), measured.  So
``install`` frees one block of ``GLIBC_TEACH`` bytes that glibc ``mmap``-ed, as a program's
first freed activation would have: its thresholds adapt as they would have without the
cache (and keep adapting; a setting made with ``mallopt`` or ``MALLOC_*_`` stays as it is).
"""
from libc.stdlib cimport free
from libc.string cimport memset, memmove, strcpy
from cpython.pycapsule cimport PyCapsule_New, PyCapsule_GetPointer
from cpython.ref cimport PyObject, Py_XDECREF

import os

cimport numpy as cnp
cnp.import_array()

cdef extern from *:
    """
    /* how many bytes a block from malloc holds; where the C library cannot say,
       0 - and then no block is kept */
    #if defined(__GLIBC__)
    #include <malloc.h>
    #define MGC_USABLE_SIZE(p) malloc_usable_size(p)
    #else
    #define MGC_USABLE_SIZE(p) ((size_t)0)
    #endif
    """
    size_t MGC_USABLE_SIZE(void *ptr) nogil

cdef extern from *:
    """
    /* free a block glibc serves with mmap (see the module's docstring); the write keeps
       the compiler from dropping the pair */
    static void mgc_teach_glibc(size_t nbytes) {
    #if defined(__GLIBC__)
        volatile char *p = (volatile char *)malloc(nbytes);
        if (p != NULL) {
            p[0] = 0;
            free((void *)p);
        }
    #endif
    }
    """
    void mgc_teach_glibc(size_t nbytes) nogil

cdef extern from "pythread.h":
    ctypedef void *PyThread_type_lock
    PyThread_type_lock PyThread_allocate_lock()
    int PyThread_acquire_lock(PyThread_type_lock, int) nogil
    void PyThread_release_lock(PyThread_type_lock) nogil

cdef extern from "numpy/arrayobject.h":
    ctypedef struct PyDataMemAllocator:
        void *ctx
        void *(*malloc)(void *ctx, size_t size) noexcept nogil
        void *(*calloc)(void *ctx, size_t nelem, size_t elsize) noexcept nogil
        void *(*realloc)(void *ctx, void *ptr, size_t new_size) noexcept nogil
        void (*free)(void *ctx, void *ptr, size_t size) noexcept nogil

    ctypedef struct PyDataMem_Handler:
        char name[127]
        unsigned char version
        PyDataMemAllocator allocator

    PyObject *PyDataMem_SetHandler(PyObject *handler) except NULL  # the old one (a new reference)
    PyObject *PyDataMem_DefaultHandler


DEF PAGE = 4096
DEF MAX_KEPT = 1024          # at most this many blocks are kept
DEFAULT_MB = "128"
DEF GLIBC_TEACH = 4 * 1024 * 1024   # (NumPy's default handler asks for huge pages from here)

cdef size_t MIN_BLOCK = 256 * 1024
cdef size_t _limit = 0        # bytes the kept blocks may take (0: keep none)
cdef size_t _kept_bytes = 0
cdef Py_ssize_t _n_kept = 0
cdef void *_kept_ptr[MAX_KEPT]      # oldest first
cdef size_t _kept_size[MAX_KEPT]    # each one's size class
cdef Py_ssize_t _hits = 0
cdef Py_ssize_t _misses = 0
cdef PyThread_type_lock _lock = PyThread_allocate_lock()
cdef PyDataMemAllocator _default      # NumPy's default handler, for the small blocks
cdef PyDataMem_Handler _handler


cdef inline size_t _size_class(size_t size) noexcept nogil:
    return (size + PAGE - 1) // PAGE * PAGE


cdef void _drop(Py_ssize_t i) noexcept nogil:
    """Forget kept block i (keeping the others in order)."""
    global _n_kept, _kept_bytes
    _kept_bytes -= _kept_size[i]
    _n_kept -= 1
    memmove(&_kept_ptr[i], &_kept_ptr[i + 1], (_n_kept - i) * sizeof(void *))
    memmove(&_kept_size[i], &_kept_size[i + 1], (_n_kept - i) * sizeof(size_t))


cdef void *_take(size_t cls) noexcept nogil:
    """The most recently kept block of size class ``cls``, or NULL."""
    global _hits, _misses
    cdef void *ptr = NULL
    cdef Py_ssize_t i
    PyThread_acquire_lock(_lock, 1)
    i = _n_kept - 1
    while i >= 0:
        if _kept_size[i] == cls:
            ptr = _kept_ptr[i]
            _drop(i)
            break
        i -= 1
    if ptr != NULL:
        _hits += 1
    else:
        _misses += 1
    PyThread_release_lock(_lock)
    return ptr


cdef void *_malloc(void *ctx, size_t size) noexcept nogil:
    if size < MIN_BLOCK:
        return _default.malloc(_default.ctx, size)
    cdef size_t cls = _size_class(size)
    cdef void *ptr = _take(cls)
    # a new block from NumPy's default handler: it asks the kernel for huge pages for
    # blocks of 4 MB and more (fewer page faults and TLB misses)
    return ptr if ptr != NULL else _default.malloc(_default.ctx, cls)


cdef void *_calloc(void *ctx, size_t nelem, size_t elsize) noexcept nogil:
    cdef size_t size = nelem * elsize
    if elsize != 0 and size // elsize != nelem:
        return NULL  # overflow
    if size < MIN_BLOCK:
        return _default.calloc(_default.ctx, nelem, elsize)
    cdef size_t cls = _size_class(size)
    cdef void *ptr = _take(cls)
    if ptr == NULL:
        return _default.calloc(_default.ctx, cls, 1)  # fresh pages come zeroed
    memset(ptr, 0, size)
    return ptr


cdef void *_realloc(void *ctx, void *ptr, size_t new_size) noexcept nogil:
    return _default.realloc(_default.ctx, ptr, new_size)


cdef void _free(void *ctx, void *ptr, size_t size) noexcept nogil:
    global _n_kept, _kept_bytes
    if ptr == NULL:
        return
    if size < MIN_BLOCK:
        _default.free(_default.ctx, ptr, size)
        return
    # the class the block can serve: what the C library says it holds, not what the
    # caller says (a block is only ever handed out for requests it is large enough for)
    cdef size_t cls = MGC_USABLE_SIZE(ptr) // PAGE * PAGE
    if cls > _limit or cls < MIN_BLOCK:
        free(ptr)
        return
    PyThread_acquire_lock(_lock, 1)
    while _n_kept > 0 and (_n_kept == MAX_KEPT or _kept_bytes + cls > _limit):
        free(_kept_ptr[0])  # the oldest makes room
        _drop(0)
    _kept_ptr[_n_kept] = ptr
    _kept_size[_n_kept] = cls
    _n_kept += 1
    _kept_bytes += cls
    PyThread_release_lock(_lock)


def release() -> int:
    """Give every kept block back to the C library; returns the bytes released."""
    cdef size_t released
    PyThread_acquire_lock(_lock, 1)
    released = _kept_bytes
    while _n_kept > 0:
        free(_kept_ptr[_n_kept - 1])
        _drop(_n_kept - 1)
    PyThread_release_lock(_lock)
    return released


def set_limit(size_t nbytes) -> None:
    """Keep at most ``nbytes`` of freed blocks (0: keep none, release them now)."""
    global _limit
    _limit = nbytes
    if nbytes == 0:
        release()
    else:
        PyThread_acquire_lock(_lock, 1)
        while _n_kept > 0 and _kept_bytes > _limit:
            free(_kept_ptr[0])
            _drop(0)
        PyThread_release_lock(_lock)


def stats() -> dict:
    """What the cache holds now, and how often a request found a kept block."""
    return {"limit": _limit, "kept_bytes": _kept_bytes, "kept_blocks": _n_kept,
            "hits": _hits, "misses": _misses, "min_block": MIN_BLOCK}


def install_from_environment() -> None:
    """At import: keep up to ``MYGRAD_C_MEMORY_CACHE_MB`` megabytes (default 128) of freed
    blocks, and install the handler for this thread's context (0: do neither)."""
    megabytes = float(os.environ.get("MYGRAD_C_MEMORY_CACHE_MB", DEFAULT_MB))
    if megabytes > 0:
        set_limit(int(megabytes * 2 ** 20))
        install()


def install() -> None:
    """Make this handler NumPy's for the current thread's context."""
    mgc_teach_glibc(GLIBC_TEACH)
    Py_XDECREF(PyDataMem_SetHandler(<PyObject *>_capsule))


def uninstall() -> None:
    """Give the current context NumPy's default handler back (blocks allocated by this one
    are still freed by it)."""
    Py_XDECREF(PyDataMem_SetHandler(NULL))


cdef PyDataMem_Handler *_default_handler = <PyDataMem_Handler *>PyCapsule_GetPointer(
    <object>PyDataMem_DefaultHandler, "mem_handler")
_default = _default_handler.allocator
strcpy(_handler.name, b"mygrad_c_block_cache")
_handler.version = 1
_handler.allocator.ctx = NULL
_handler.allocator.malloc = _malloc
_handler.allocator.calloc = _calloc
_handler.allocator.realloc = _realloc
_handler.allocator.free = _free
_capsule = PyCapsule_New(&_handler, "mem_handler", NULL)
