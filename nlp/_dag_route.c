/* jieba's dictionary walk (nlp.fast_cut.DagCutter._route) over a C hash table of code points.
 *
 * The Python loop spends its time making a new string for every prefix it probes and hashing it.
 * ``DagIndex(logp)`` copies the cutter's dictionary (key -> log probability < 0, or PREFIX > 0
 * for a key that only begins longer words) into an open-addressing table keyed by the key's code
 * points with an incremental FNV-1a hash, so extending a prefix by one character costs one
 * multiply and one probe. ``route(s, miss)`` then returns, for every position of ``s``, the end
 * index of the best word starting there, with the same arithmetic as the Python loop and jieba
 * (``log probability + best score after the word`` in IEEE doubles; on equal scores the later end
 * wins; an unknown single character scores ``miss``). Tests compare it with jieba itself.
 *
 * The table is plain C memory, never touched by reference counting: forked workers share its
 * pages. It is read-only after construction.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

typedef struct {
    uint64_t hash;   /* 0 marks an empty slot (a real hash of 0 is stored as 1) */
    double value;
    uint32_t offset; /* into the code point pool */
    uint32_t length;
} Entry;

typedef struct {
    PyObject_HEAD
    Entry *slots;
    uint64_t mask;   /* slot count - 1 (a power of two) */
    Py_UCS4 *pool;
    size_t pool_len;
    size_t count;
} DagIndex;

static inline uint64_t step(uint64_t h, Py_UCS4 c) {
    h ^= (uint64_t)c;
    return h * FNV_PRIME;
}

static inline uint64_t stored(uint64_t h) { return h ? h : 1; }

static void DagIndex_dealloc(DagIndex *self) {
    PyMem_Free(self->slots);
    PyMem_Free(self->pool);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int DagIndex_init(DagIndex *self, PyObject *args, PyObject *kwds) {
    PyObject *logp;
    static char *kwlist[] = {"logp", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!", kwlist, &PyDict_Type, &logp))
        return -1;
    if (self->slots != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "DagIndex is already built");
        return -1;
    }
    Py_ssize_t n = PyDict_Size(logp);
    uint64_t size = 16;
    while (size * 7 < (uint64_t)n * 10)  /* load factor at most 0.7 */
        size <<= 1;
    size_t pool_need = 0;
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(logp, &pos, &key, &value)) {
        if (!PyUnicode_Check(key) || !PyFloat_Check(value)) {
            PyErr_SetString(PyExc_TypeError, "DagIndex needs a dict of str -> float");
            return -1;
        }
        pool_need += (size_t)PyUnicode_GET_LENGTH(key);
    }
    if (pool_need > UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "dictionary too large for DagIndex");
        return -1;
    }
    self->slots = PyMem_Calloc((size_t)size, sizeof(Entry));
    self->pool = PyMem_Malloc(sizeof(Py_UCS4) * (pool_need ? pool_need : 1));
    if (self->slots == NULL || self->pool == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->mask = size - 1;
    pos = 0;
    while (PyDict_Next(logp, &pos, &key, &value)) {
        Py_ssize_t len = PyUnicode_GET_LENGTH(key);
        if (len == 0 || len > 0xFFFF)
            continue;  /* never looked up: a probe is at least one character */
        int kind = PyUnicode_KIND(key);
        const void *data = PyUnicode_DATA(key);
        uint64_t h = FNV_OFFSET;
        Py_UCS4 *dst = self->pool + self->pool_len;
        for (Py_ssize_t i = 0; i < len; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            dst[i] = c;
            h = step(h, c);
        }
        h = stored(h);
        uint64_t slot = h & self->mask;
        for (;;) {
            Entry *e = &self->slots[slot];
            if (e->hash == 0) {
                e->hash = h;
                e->value = PyFloat_AS_DOUBLE(value);
                e->offset = (uint32_t)self->pool_len;
                e->length = (uint32_t)len;
                self->pool_len += (size_t)len;
                self->count++;
                break;
            }
            if (e->hash == h && e->length == (uint32_t)len &&
                memcmp(self->pool + e->offset, dst, sizeof(Py_UCS4) * (size_t)len) == 0) {
                e->value = PyFloat_AS_DOUBLE(value);  /* a dict has no duplicate keys; kept for safety */
                break;
            }
            slot = (slot + 1) & self->mask;
        }
    }
    return 0;
}

/* The entry for cps[0:len] with hash h, or NULL. */
static inline const Entry *find(const DagIndex *self, uint64_t h, const Py_UCS4 *cps, Py_ssize_t len) {
    h = stored(h);
    uint64_t slot = h & self->mask;
    for (;;) {
        const Entry *e = &self->slots[slot];
        if (e->hash == 0)
            return NULL;
        if (e->hash == h && e->length == (uint32_t)len &&
            memcmp(self->pool + e->offset, cps, sizeof(Py_UCS4) * (size_t)len) == 0)
            return e;
        slot = (slot + 1) & self->mask;
    }
}

static PyObject *DagIndex_route(DagIndex *self, PyObject *args) {
    PyObject *s;
    double miss;
    if (!PyArg_ParseTuple(args, "Ud", &s, &miss))
        return NULL;
    if (self->slots == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "DagIndex was not built");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    Py_UCS4 *cps = PyUnicode_AsUCS4Copy(s);
    double *best = PyMem_Malloc(sizeof(double) * (size_t)(n + 1));
    Py_ssize_t *ends = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n > 0 ? n : 1));
    PyObject *out = NULL;
    if (cps == NULL || best == NULL || ends == NULL) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto done;
    }
    best[n] = 0.0;
    for (Py_ssize_t k = n - 1; k >= 0; k--) {
        double score = 0.0;
        Py_ssize_t end = -1;
        uint64_t h = FNV_OFFSET;
        for (Py_ssize_t i = k; i < n; i++) {
            h = step(h, cps[i]);
            const Entry *e = find(self, h, cps + k, i - k + 1);
            if (e == NULL)
                break;  /* not even a prefix of a word: no longer word starts at k */
            if (e->value < 0.0) {  /* a word, not only a prefix */
                double sc = e->value + best[i + 1];
                if (end < 0 || sc >= score) {
                    score = sc;
                    end = i;
                }
            }
        }
        if (end < 0) {
            score = miss + best[k + 1];
            end = k;
        }
        best[k] = score;
        ends[k] = end;
    }
    out = PyList_New(n);
    if (out == NULL)
        goto done;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *v = PyLong_FromSsize_t(ends[k]);
        if (v == NULL) {
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, k, v);
    }
done:
    PyMem_Free(cps);
    PyMem_Free(best);
    PyMem_Free(ends);
    return out;
}

static PyObject *DagIndex_len(DagIndex *self, PyObject *Py_UNUSED(ignored)) {
    return PyLong_FromSize_t(self->count);
}

static PyMethodDef DagIndex_methods[] = {
    {"route", (PyCFunction)DagIndex_route, METH_VARARGS,
     "route(s, miss) -> list of the best word's end index at each position (jieba's calc)."},
    {"size", (PyCFunction)DagIndex_len, METH_NOARGS, "Number of dictionary keys held."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject DagIndexType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "nlp._dag_route.DagIndex",
    .tp_basicsize = sizeof(DagIndex),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "DagIndex(logp): jieba's dictionary as a C hash table of code points.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)DagIndex_init,
    .tp_dealloc = (destructor)DagIndex_dealloc,
    .tp_methods = DagIndex_methods,
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_dag_route", NULL, -1, NULL};

PyMODINIT_FUNC PyInit__dag_route(void) {
    if (PyType_Ready(&DagIndexType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&DagIndexType);
    if (PyModule_AddObject(m, "DagIndex", (PyObject *)&DagIndexType) < 0) {
        Py_DECREF(&DagIndexType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
