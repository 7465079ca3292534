/* The native half of the per-article work: what Python's re would otherwise read many times over.
 *
 * It computes exactly what the Python modules compute (which stay as the readable reference and the fallback;
 * OSCE_STANCE_PURE=1 forces them, and tests/test_native.py holds the two equal on every corpus article and under
 * hypothesis):
 *   - for the model (pipeline/features.py, pipeline/core.py), in one pass over each sentence and one call per article:
 *     tokens, the matches of [^\W_]+(?:['’][^\W_]+)? (Python's re: [^\W_] is Py_UNICODE_ISALNUM); features
 *     w:<token>, neg:<token> for the 3 tokens after a negation word, w:<previous> <token>; their ids in the model's
 *     vocabulary (features outside it are dropped), plus ids the caller found for the features that are not words
 *     (target, cues, context); TF-IDF with sublinear tf and L2 norm, the linear layer, and the softmax;
 *   - where a set of literal prefixes begins words (PrefixScanner): the names, contextual mentions, countries and
 *     people of pipeline/native.py's WordStartPattern;
 *   - where each cue family of the lexicon first matches (CueScanner), from the lexicon written as programs;
 *   - ingest's words (pipeline/ingest.py's _WORD), and the sentence splitter (pipeline/segment.py).
 *
 * Built by setuptools from source on install (pyproject.toml); nothing here is generated.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The vocabulary's word features as an open-addressing table of UTF-8 keys.  The table is read at random, about 50 times
 * a sentence, and between articles the rest of the work evicts it from the caches (measured: the same calls took twice as
 * long after a pass over 32 MB), so a lookup should touch one cache line: 32-byte slots hold the first INLINE_KEY bytes
 * of their key, which is all of most keys ("w:observers", "w:the mission"); only longer keys read the pool. */
#define INLINE_KEY 18
typedef struct {
    uint32_t hash;   /* the key's 64-bit hash, high half (the low bits choose the slot) */
    int32_t id;      /* the feature's column; -1 for an empty slot */
    uint32_t offset; /* into the pool: the key's bytes after the first INLINE_KEY */
    uint16_t length; /* the key's length in bytes */
    uint8_t head[INLINE_KEY];
} Slot;

typedef struct {
    PyObject_HEAD
    Py_ssize_t n_features, n_labels;
    /* One row of n_labels + 1 doubles per feature, in the order the arithmetic reads them: idf * coef[k] for each
     * label, then idf * idf.  (Label-major coef and a separate idf cost one cache miss per label per feature.) */
    double *rows, *intercept;
    Slot *slots;
    size_t mask;
    uint8_t *pool;
    Py_ssize_t pool_length;
    uint8_t *negators; /* the negation words in UTF-8, one after another */
    Py_ssize_t *negator_ends; /* where each ends in negators (n_negators of them) */
    Py_ssize_t n_negators;
    PyObject *extras;  /* the analyzer's names of the features that are not words (WordIndex.article), as last given */
    int32_t *extra_ids; /* their ids (-1: not in the vocabulary) */
} WordIndex;

/* One code point as UTF-8 (a lone surrogate as its three bytes, as "surrogatepass" writes it): the same bytes for the
 * vocabulary and for the text, so keys compare as the str they encode. */
static inline Py_ssize_t utf8_put(Py_UCS4 c, uint8_t *out) {
    if (c < 0x80) {
        out[0] = (uint8_t)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (uint8_t)(0xC0 | (c >> 6));
        out[1] = (uint8_t)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (c >> 12));
        out[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (c >> 18));
    out[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (c & 0x3F));
    return 4;
}

/* text[start:end] as UTF-8 into out (room for 4 bytes a code point); returns the number of bytes. */
static Py_ssize_t utf8_slice(int kind, const void *data, Py_ssize_t start, Py_ssize_t end, uint8_t *out) {
    Py_ssize_t n = 0;
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *chars = (const Py_UCS1 *)data;
        for (Py_ssize_t i = start; i < end; i++) {
            if (chars[i] < 0x80) out[n++] = chars[i];
            else n += utf8_put(chars[i], out + n);
        }
        return n;
    }
    for (Py_ssize_t i = start; i < end; i++) n += utf8_put(PyUnicode_READ(kind, data, i), out + n);
    return n;
}

static uint64_t hash_key(const uint8_t *key, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= key[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* The id of key (n bytes, hash h = hash_key(key, n)), or -1. */
static int32_t lookup(const WordIndex *self, const uint8_t *key, Py_ssize_t n, uint64_t h) {
    if (n > UINT16_MAX) return -1; /* longer than any key of the table (checked when it was built) */
    uint32_t high = (uint32_t)(h >> 32);
    size_t head = n < INLINE_KEY ? (size_t)n : INLINE_KEY;
    for (size_t i = (size_t)h & self->mask;; i = (i + 1) & self->mask) {
        const Slot *s = &self->slots[i];
        if (s->id < 0) return -1;
        if (s->hash == high && s->length == n && memcmp(s->head, key, head) == 0
            && (n <= INLINE_KEY || memcmp(self->pool + s->offset, key + INLINE_KEY, (size_t)(n - INLINE_KEY)) == 0))
            return s->id;
    }
}

static void WordIndex_dealloc(WordIndex *self) {
    PyMem_Free(self->rows);
    PyMem_Free(self->intercept);
    PyMem_Free(self->slots);
    PyMem_Free(self->pool);
    PyMem_Free(self->negators);
    PyMem_Free(self->negator_ends);
    Py_XDECREF(self->extras);
    PyMem_Free(self->extra_ids);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static double *copy_doubles(PyObject *array, Py_ssize_t expected, const char *name) {
    Py_buffer view;
    if (PyObject_GetBuffer(array, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return NULL;
    double *out = NULL;
    if (view.format == NULL || strcmp(view.format, "d") != 0 || view.len != expected * (Py_ssize_t)sizeof(double)) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd contiguous float64 values", name, expected);
    } else if ((out = PyMem_Malloc((size_t)view.len ? (size_t)view.len : 1)) == NULL) {
        PyErr_NoMemory();
    } else {
        memcpy(out, view.buf, (size_t)view.len);
    }
    PyBuffer_Release(&view);
    return out;
}

/* WordIndex(vocabulary, idf, coef, intercept, negators) */
static int WordIndex_init(WordIndex *self, PyObject *args, PyObject *kwds) {
    PyObject *vocab, *idf, *coef, *intercept, *negators;
    static char *kwlist[] = {"vocabulary", "idf", "coef", "intercept", "negators", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!OOOO!", kwlist, &PyList_Type, &vocab, &idf, &coef, &intercept,
                                     &PyList_Type, &negators))
        return -1;
    Py_CLEAR(self->extras); /* the ids resolved for another vocabulary */
    Py_ssize_t n_features = PyList_GET_SIZE(vocab);
    Py_ssize_t n_labels = PyObject_Length(intercept);
    if (n_labels < 1) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "intercept: no labels");
        return -1;
    }
    self->n_features = n_features;
    self->n_labels = n_labels;
    double *idf_values = copy_doubles(idf, n_features, "idf"), *coef_values = NULL;
    if (!idf_values || !(coef_values = copy_doubles(coef, n_labels * n_features, "coef"))
        || !(self->intercept = copy_doubles(intercept, n_labels, "intercept"))) {
        PyMem_Free(idf_values);
        PyMem_Free(coef_values);
        return -1;
    }
    Py_ssize_t width = n_labels + 1;
    self->rows = PyMem_Malloc((size_t)(n_features ? n_features : 1) * (size_t)width * sizeof(double));
    if (!self->rows) {
        PyMem_Free(idf_values);
        PyMem_Free(coef_values);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t j = 0; j < n_features; j++) {
        double *row = self->rows + j * width;
        for (Py_ssize_t k = 0; k < n_labels; k++) row[k] = idf_values[j] * coef_values[k * n_features + j];
        row[n_labels] = idf_values[j] * idf_values[j];
    }
    PyMem_Free(idf_values);
    PyMem_Free(coef_values);

    /* The table holds every feature: the word features (w:, neg:), which word_ids looks up, and the few others, which
     * WordIndex.article looks up once (resolve_extras). */
    Py_ssize_t n_keys = 0, pool_length = 0, longest = 0;
    for (Py_ssize_t j = 0; j < n_features; j++) {
        PyObject *f = PyList_GET_ITEM(vocab, j);
        if (!PyUnicode_Check(f)) {
            PyErr_SetString(PyExc_TypeError, "vocabulary: every feature must be a str");
            return -1;
        }
        Py_ssize_t n = PyUnicode_GET_LENGTH(f);
        n_keys++;
        pool_length += 4 * n;
        if (n > longest) longest = n;
    }
    size_t size = 16;
    while (size < (size_t)n_keys * 2) size <<= 1;
    self->mask = size - 1;
    self->slots = PyMem_Malloc(size * sizeof(Slot));
    self->pool = PyMem_Malloc((size_t)pool_length + 1);
    uint8_t *key = PyMem_Malloc(4 * (size_t)longest + 1);
    if (!self->slots || !self->pool || !key || pool_length > (Py_ssize_t)UINT32_MAX) {
        PyMem_Free(key);
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < size; i++) self->slots[i].id = -1;
    Py_ssize_t offset = 0;
    for (Py_ssize_t j = 0; j < n_features; j++) {
        PyObject *f = PyList_GET_ITEM(vocab, j);
        Py_ssize_t n = utf8_slice(PyUnicode_KIND(f), PyUnicode_DATA(f), 0, PyUnicode_GET_LENGTH(f), key);
        if (n > UINT16_MAX) {
            PyMem_Free(key);
            PyErr_SetString(PyExc_ValueError, "vocabulary: a word feature longer than 65,535 bytes");
            return -1;
        }
        uint64_t h = hash_key(key, n);
        size_t i = (size_t)h & self->mask;
        while (self->slots[i].id >= 0) i = (i + 1) & self->mask;
        Slot *slot = &self->slots[i];
        slot->hash = (uint32_t)(h >> 32);
        slot->id = (int32_t)j;
        slot->length = (uint16_t)n;
        slot->offset = (uint32_t)offset;
        memset(slot->head, 0, INLINE_KEY);
        memcpy(slot->head, key, n < INLINE_KEY ? (size_t)n : INLINE_KEY);
        if (n > INLINE_KEY) {
            memcpy(self->pool + offset, key + INLINE_KEY, (size_t)(n - INLINE_KEY));
            offset += n - INLINE_KEY;
        }
    }
    PyMem_Free(key);
    self->pool_length = offset;

    Py_ssize_t total = 0;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(negators); k++) {
        PyObject *w = PyList_GET_ITEM(negators, k);
        if (!PyUnicode_Check(w) || PyUnicode_GET_LENGTH(w) == 0) {
            PyErr_SetString(PyExc_TypeError, "negators: every word must be a non-empty str");
            return -1;
        }
        total += 4 * PyUnicode_GET_LENGTH(w) + 1;
    }
    Py_ssize_t n_negators = PyList_GET_SIZE(negators);
    self->negators = PyMem_Malloc((size_t)total + 1);
    self->negator_ends = PyMem_Malloc((size_t)(n_negators + 1) * sizeof(Py_ssize_t));
    if (!self->negators || !self->negator_ends) {
        PyErr_NoMemory();
        return -1;
    }
    offset = 0;
    for (Py_ssize_t k = 0; k < n_negators; k++) {
        PyObject *w = PyList_GET_ITEM(negators, k);
        offset += utf8_slice(PyUnicode_KIND(w), PyUnicode_DATA(w), 0, PyUnicode_GET_LENGTH(w), self->negators + offset);
        self->negator_ends[k] = offset;
    }
    self->n_negators = n_negators;
    return 0;
}

static int is_negator(const WordIndex *self, const uint8_t *word, Py_ssize_t n) {
    for (Py_ssize_t k = 0, start = 0; k < self->n_negators; start = self->negator_ends[k++])
        if (self->negator_ends[k] - start == n && memcmp(self->negators + start, word, (size_t)n) == 0) return 1;
    return 0;
}

/* Py_UNICODE_ISALNUM asks up to four Unicode tables through function calls; news is mostly ASCII. */
static inline int is_alnum(Py_UCS4 c) {
    if (c < 128) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return Py_UNICODE_ISALNUM(c);
}

/* Python's \w for str: alphanumeric or "_". */
static inline int is_word_char(Py_UCS4 c) { return c == '_' || is_alnum(c); }

/* The tokens of text: [start, end) pairs into out (room for len/1 + 1 pairs); returns how many. */
static Py_ssize_t tokenize(int kind, const void *data, Py_ssize_t n, Py_ssize_t *out) {
    Py_ssize_t count = 0, i = 0;
    while (i < n) {
        if (!is_alnum(PyUnicode_READ(kind, data, i))) {
            i++;
            continue;
        }
        Py_ssize_t start = i;
        while (i < n && is_alnum(PyUnicode_READ(kind, data, i))) i++;
        if (i + 1 < n) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if ((c == '\'' || c == 0x2019) && is_alnum(PyUnicode_READ(kind, data, i + 1))) {
                i++;
                while (i < n && is_alnum(PyUnicode_READ(kind, data, i))) i++;
            }
        }
        out[2 * count] = start;
        out[2 * count + 1] = i;
        count++;
    }
    return count;
}

typedef struct {
    int32_t *ids;
    Py_ssize_t n, capacity;
    int32_t *table; /* scratch for counting repeats: keys, then counts (table_size each); keys -1 when free */
    size_t table_size;
} Ids;

static int push(Ids *ids, int32_t id) {
    if (ids->n == ids->capacity) {
        Py_ssize_t capacity = ids->capacity ? ids->capacity * 2 : 64;
        int32_t *grown = PyMem_Realloc(ids->ids, (size_t)capacity * sizeof(int32_t));
        if (!grown) return -1;
        ids->ids = grown;
        ids->capacity = capacity;
    }
    ids->ids[ids->n++] = id;
    return 0;
}

/* Append the ids of text's word features to ids.  Scratch room, grown as needed: key (the tokens' UTF-8 bytes, then every
 * feature's key one after another) and spans (token boundaries in code points, then in bytes, then each key's place).
 *
 * The keys are all built and hashed first, and each one's slot is prefetched before any is compared: between articles
 * the table falls out of the caches, and fifty lookups that wait for memory one after another cost more than the rest
 * of the sentence; issued together, the waits overlap. */
static int word_ids(const WordIndex *self, PyObject *text, Ids *ids, uint8_t **key, Py_ssize_t *key_capacity,
                    Py_ssize_t **spans, Py_ssize_t *spans_capacity) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    /* tokens: at most n/1 + 1; spans: 2 + 2 per token, then 3 per key (3 keys a token at most) */
    Py_ssize_t spans_needed = 4 * (n + 1) + 9 * (n + 1);
    if (spans_needed > *spans_capacity) {
        Py_ssize_t *grown = PyMem_Realloc(*spans, (size_t)spans_needed * sizeof(Py_ssize_t));
        if (!grown) return -1;
        *spans = grown;
        *spans_capacity = spans_needed;
    }
    /* the tokens' bytes (4n), then the keys: per token at most 2 + 4 + 3 bytes and its bytes three times, the previous
     * token's once (21n + 9 per token in all) */
    Py_ssize_t key_needed = 4 * n + 4 + 21 * n + 9 * (n + 1) + 16;
    if (key_needed > *key_capacity) {
        uint8_t *grown = PyMem_Realloc(*key, (size_t)key_needed);
        if (!grown) return -1;
        *key = grown;
        *key_capacity = key_needed;
    }
    Py_ssize_t n_tokens = tokenize(kind, data, n, *spans);
    Py_ssize_t *bytes = *spans + 2 * (n + 1); /* [start, end) of each token in utf8 */
    Py_ssize_t *keys = *spans + 4 * (n + 1);  /* (offset, length, hash) of each key in arena */
    uint8_t *utf8 = *key, *arena = *key + 4 * n + 4;
    Py_ssize_t used = 0;
    for (Py_ssize_t t = 0; t < n_tokens; t++) {
        bytes[2 * t] = used;
        used += utf8_slice(kind, data, (*spans)[2 * t], (*spans)[2 * t + 1], utf8 + used);
        bytes[2 * t + 1] = used;
    }
    Py_ssize_t n_keys = 0, end = 0;
#define ADD_KEY(length)                                   \
    do {                                                  \
        keys[3 * n_keys] = end;                           \
        keys[3 * n_keys + 1] = (length);                  \
        end += (length);                                  \
        n_keys++;                                         \
    } while (0)
    int countdown = 0;
    for (Py_ssize_t t = 0; t < n_tokens; t++) {
        const uint8_t *word = utf8 + bytes[2 * t];
        Py_ssize_t len = bytes[2 * t + 1] - bytes[2 * t];
        memcpy(arena + end, "w:", 2); /* w:<token> */
        memcpy(arena + end + 2, word, (size_t)len);
        ADD_KEY(2 + len);
        if (countdown) { /* neg:<token> */
            memcpy(arena + end, "neg:", 4);
            memcpy(arena + end + 4, word, (size_t)len);
            ADD_KEY(4 + len);
            countdown--;
        }
        if (is_negator(self, word, len)) countdown = 3;
        if (t) { /* w:<previous> <token> */
            const uint8_t *previous = utf8 + bytes[2 * (t - 1)];
            Py_ssize_t pl = bytes[2 * (t - 1) + 1] - bytes[2 * (t - 1)];
            memcpy(arena + end, "w:", 2);
            memcpy(arena + end + 2, previous, (size_t)pl);
            arena[end + 2 + pl] = ' ';
            memcpy(arena + end + 3 + pl, word, (size_t)len);
            ADD_KEY(3 + pl + len);
        }
    }
#undef ADD_KEY
    for (Py_ssize_t i = 0; i < n_keys; i++) {
        uint64_t h = hash_key(arena + keys[3 * i], keys[3 * i + 1]);
        keys[3 * i + 2] = (Py_ssize_t)h;
        __builtin_prefetch(&self->slots[(size_t)h & self->mask]);
    }
    for (Py_ssize_t i = 0; i < n_keys; i++) {
        int32_t id = lookup(self, arena + keys[3 * i], keys[3 * i + 1], (uint64_t)keys[3 * i + 2]);
        if (id >= 0 && push(ids, id) < 0) return -1;
    }
    return 0;
}

/* How many times each of a document's ids occurs: a small open-addressing table, sized for the document (a sort cost more
 * than the arithmetic).  Returns the table's slot for id. */
static inline size_t count_slot(const Ids *ids, int32_t id) {
    size_t mask = ids->table_size - 1;
    for (size_t i = ((uint32_t)id * 2654435761u) & mask;; i = (i + 1) & mask)
        if (ids->table[i] == id || ids->table[i] < 0) return i;
}

/* The linear layer and the softmax for one document's ids; -1 if out of memory. */
static int probabilities(const WordIndex *self, Ids *ids, double *out) {
    Py_ssize_t L = self->n_labels, width = L + 1;
    for (Py_ssize_t k = 0; k < L; k++) out[k] = 0.0;
    double squares = 0.0;
    if (ids->n) {
        size_t size = 64;
        while (size < 2 * (size_t)ids->n) size <<= 1;
        if (size > ids->table_size) {
            int32_t *grown = PyMem_Realloc(ids->table, 2 * size * sizeof(int32_t));
            if (!grown) return -1;
            ids->table = grown;
            ids->table_size = size;
        }
        for (Py_ssize_t i = 0; i < ids->n; i++) __builtin_prefetch(self->rows + (Py_ssize_t)ids->ids[i] * width); /* as the slots */
        int32_t *keys = ids->table, *counts = ids->table + ids->table_size;
        memset(keys, 0xff, ids->table_size * sizeof(int32_t));
        for (Py_ssize_t i = 0; i < ids->n; i++) {
            size_t slot = count_slot(ids, ids->ids[i]);
            if (keys[slot] < 0) {
                keys[slot] = ids->ids[i];
                counts[slot] = 0;
            }
            counts[slot]++;
        }
        /* Each distinct id once, in the order of first occurrence. */
        for (Py_ssize_t i = 0; i < ids->n; i++) {
            size_t slot = count_slot(ids, ids->ids[i]);
            int32_t c = counts[slot];
            if (!c) continue;
            counts[slot] = 0;
            const double *row = self->rows + (Py_ssize_t)ids->ids[i] * width;
            double tf = c == 1 ? 1.0 : 1.0 + log((double)c); /* sublinear tf; x = tf * idf */
            squares += tf * tf * row[L];
            for (Py_ssize_t k = 0; k < L; k++) out[k] += tf * row[k];
        }
    }
    double norm = sqrt(squares), top = -INFINITY, total = 0.0;
    for (Py_ssize_t k = 0; k < L; k++) {
        out[k] = self->intercept[k] + (squares > 0.0 ? out[k] / norm : 0.0);
        if (out[k] > top) top = out[k];
    }
    for (Py_ssize_t k = 0; k < L; k++) total += (out[k] = exp(out[k] - top));
    for (Py_ssize_t k = 0; k < L; k++) out[k] /= total;
    return 0;
}

static PyObject *WordIndex_article(WordIndex *self, PyObject *args);

static PyMethodDef WordIndex_methods[] = {
    {"article", (PyCFunction)WordIndex_article, METH_VARARGS,
     "article(texts, osce, same_article, analyzer) -> bytearray of n x labels float64 probabilities: the sentences read by "
     "the analyzer (pipeline.features.compiled_analyzer()) and the model in one call."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject WordIndexType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pipeline._native.WordIndex",
    .tp_basicsize = sizeof(WordIndex),
    .tp_dealloc = (destructor)WordIndex_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A model's word-feature index and linear layer: WordIndex(vocabulary, idf, coef, intercept, negators).",
    .tp_methods = WordIndex_methods,
    .tp_init = (initproc)WordIndex_init,
    .tp_new = PyType_GenericNew,
};

/* ---------------------------------------------------------------------------------------------------------------
 * PrefixScanner: where the cue lexicon's literal prefixes begin words, in one pass (features._PREFIX_RE's job).
 *
 * For every word start (a \w character after a non-\w one or at the text's start; Python's \w for str is
 * Py_UNICODE_ISALNUM or '_'), the longest of the prefixes that the text continues with there, as
 * (start, prefix).  A trie over code points, each node's children in a sibling list.
 */
/* Python's \s and str.isspace(). */
static inline int is_any_space(Py_UCS4 c) {
    return c < 128 ? (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)) : Py_UNICODE_ISSPACE(c);
}

typedef struct {
    Py_UCS4 ch;
    int32_t first_child, next_sibling, terminal;
} TrieNode;

/* A trie over code points; `terminal` is the user's (-1: none).  While it is built, each node's children are a sibling
 * list; trie_finish then puts every edge in a hash table, which the scans read (a walk along a list of twenty siblings
 * had been most of a scan's time). */
typedef struct {
    uint32_t node, ch;
    int32_t child; /* -1: an empty slot */
} TrieEdge;

typedef struct {
    TrieNode *nodes;
    int32_t n_nodes, capacity;
    int32_t root_ascii[128]; /* the root's child for each ASCII character (-1: none): the root has the most children */
    TrieEdge *edges;
    size_t edge_mask;
} Trie;

static void trie_free(Trie *trie) {
    PyMem_Free(trie->nodes);
    PyMem_Free(trie->edges);
    trie->nodes = NULL;
    trie->edges = NULL;
}

static inline size_t edge_slot(uint32_t node, Py_UCS4 ch, size_t mask) {
    return (size_t)(((((uint64_t)node << 32) | ch) * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

static int trie_init(Trie *trie) {
    trie_free(trie);
    trie->capacity = 64;
    trie->nodes = PyMem_Malloc((size_t)trie->capacity * sizeof(TrieNode));
    if (!trie->nodes) {
        PyErr_NoMemory();
        return -1;
    }
    trie->nodes[0] = (TrieNode){0, -1, -1, -1};
    trie->n_nodes = 1;
    for (int c = 0; c < 128; c++) trie->root_ascii[c] = -1;
    return 0;
}

static int32_t sibling_child(const Trie *trie, int32_t node, Py_UCS4 ch) {
    for (int32_t c = trie->nodes[node].first_child; c >= 0; c = trie->nodes[c].next_sibling)
        if (trie->nodes[c].ch == ch) return c;
    return -1;
}

/* The child of node for ch (-1: none), in a finished trie. */
static inline int32_t trie_child(const Trie *trie, int32_t node, Py_UCS4 ch) {
    if (node == 0 && ch < 128) return trie->root_ascii[ch];
    for (size_t i = edge_slot((uint32_t)node, ch, trie->edge_mask);; i = (i + 1) & trie->edge_mask) {
        const TrieEdge *edge = &trie->edges[i];
        if (edge->child < 0) return -1;
        if (edge->node == (uint32_t)node && edge->ch == ch) return edge->child;
    }
}

/* Build the edge table once every word is in (at most half full, so that probes stay short). */
static int trie_finish(Trie *trie) {
    size_t size = 16;
    while (size < 2 * (size_t)trie->n_nodes) size *= 2;
    PyMem_Free(trie->edges);
    if (!(trie->edges = PyMem_Malloc(size * sizeof(TrieEdge)))) {
        PyErr_NoMemory();
        return -1;
    }
    trie->edge_mask = size - 1;
    for (size_t i = 0; i < size; i++) trie->edges[i].child = -1;
    for (int32_t node = 0; node < trie->n_nodes; node++)
        for (int32_t c = trie->nodes[node].first_child; c >= 0; c = trie->nodes[c].next_sibling) {
            size_t i = edge_slot((uint32_t)node, trie->nodes[c].ch, trie->edge_mask);
            while (trie->edges[i].child >= 0) i = (i + 1) & trie->edge_mask;
            trie->edges[i] = (TrieEdge){(uint32_t)node, trie->nodes[c].ch, c};
        }
    return 0;
}

/* The node at the end of word (a non-empty str), added as needed; -1 with an exception set on failure. */
static int32_t trie_insert(Trie *trie, PyObject *word) {
    int kind = PyUnicode_KIND(word);
    const void *data = PyUnicode_DATA(word);
    int32_t node = 0;
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(word); i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        int32_t child = sibling_child(trie, node, ch);
        if (child < 0) {
            if (trie->n_nodes == trie->capacity) {
                int32_t capacity = trie->capacity * 2;
                TrieNode *grown = PyMem_Realloc(trie->nodes, (size_t)capacity * sizeof(TrieNode));
                if (!grown) {
                    PyErr_NoMemory();
                    return -1;
                }
                trie->nodes = grown;
                trie->capacity = capacity;
            }
            child = trie->n_nodes++;
            trie->nodes[child] = (TrieNode){ch, -1, trie->nodes[node].first_child, -1};
            trie->nodes[node].first_child = child;
            if (node == 0 && ch < 128) trie->root_ascii[ch] = child;
        }
        node = child;
    }
    return node;
}

typedef struct {
    PyObject_HEAD
    Trie trie;
    int spaces;              /* a " " in a prefix stands for a run of whitespace (\s+) */
    PyObject *prefixes;      /* tuple of str: what scan() returns for a terminal */
} PrefixScanner;

static void PrefixScanner_dealloc(PrefixScanner *self) {
    trie_free(&self->trie);
    Py_XDECREF(self->prefixes);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int PrefixScanner_init(PrefixScanner *self, PyObject *args, PyObject *kwds) {
    PyObject *prefixes;
    int spaces = 0;
    static char *kwlist[] = {"prefixes", "spaces", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|p", kwlist, &prefixes, &spaces)) return -1;
    self->spaces = spaces;
    PyObject *tuple = PySequence_Tuple(prefixes);
    if (!tuple) return -1;
    Py_XSETREF(self->prefixes, tuple);
    if (trie_init(&self->trie) < 0) return -1;
    for (Py_ssize_t p = 0; p < PyTuple_GET_SIZE(tuple); p++) {
        PyObject *prefix = PyTuple_GET_ITEM(tuple, p);
        if (!PyUnicode_Check(prefix) || PyUnicode_GET_LENGTH(prefix) == 0) {
            PyErr_SetString(PyExc_TypeError, "PrefixScanner(prefixes): each prefix must be a non-empty str");
            return -1;
        }
        int32_t node = trie_insert(&self->trie, prefix);
        if (node < 0) return -1;
        if (self->trie.nodes[node].terminal < 0) self->trie.nodes[node].terminal = (int32_t)p;
    }
    return trie_finish(&self->trie);
}

/* The next word start at or after *from (a \w character after a non-\w one or at the text's start) where one of the
 * prefixes begins, or -1: its longest prefix in *best.  *from moves past it. */
static Py_ssize_t next_hit(const PrefixScanner *self, int kind, const void *data, Py_ssize_t n, Py_ssize_t *from, int32_t *best) {
    const Trie *trie = &self->trie;
    for (Py_ssize_t i = *from; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (!is_word_char(c) || (i > 0 && is_word_char(PyUnicode_READ(kind, data, i - 1)))) continue;
        int32_t node = trie_child(trie, 0, c);
        *best = -1;
        for (Py_ssize_t j = i + 1; node >= 0; j++) {
            if (trie->nodes[node].terminal >= 0) *best = trie->nodes[node].terminal;
            if (j >= n) break;
            Py_UCS4 next = PyUnicode_READ(kind, data, j);
            if (self->spaces && is_any_space(next)) { /* the whole run of whitespace is one " " */
                while (j + 1 < n && is_any_space(PyUnicode_READ(kind, data, j + 1))) j++;
                next = ' ';
            }
            node = trie_child(trie, node, next);
        }
        if (*best >= 0) {
            *from = i + 1;
            return i;
        }
    }
    *from = n;
    return -1;
}

static int check_scanner(const PrefixScanner *self, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "PrefixScanner: the text must be a str");
        return -1;
    }
    if (!self->trie.edges) {
        PyErr_SetString(PyExc_ValueError, "PrefixScanner was not initialised");
        return -1;
    }
    return 0;
}

static PyObject *PrefixScanner_scan(PrefixScanner *self, PyObject *text) {
    if (check_scanner(self, text) < 0) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), from = 0, start;
    int32_t best;
    PyObject *hits = PyList_New(0);
    while (hits && (start = next_hit(self, kind, data, n, &from, &best)) >= 0) {
        PyObject *hit = Py_BuildValue("(nO)", start, PyTuple_GET_ITEM(self->prefixes, best));
        if (!hit || PyList_Append(hits, hit) < 0) Py_CLEAR(hits);
        Py_XDECREF(hit);
    }
    return hits;
}

/* find(text, scanned, tries, first) -> the matches of pipeline/native.py's WordStartPattern, as its finditer (a list) or,
 * with first, its search (a match or None): at each hit of the scan of `scanned` (text, or text lower-cased to the same
 * length), tries[prefix](text, start), where a match found before has ended. */
static PyObject *PrefixScanner_find(PrefixScanner *self, PyObject *args) {
    PyObject *text, *scanned, *tries;
    int first;
    if (!PyArg_ParseTuple(args, "UUO!p", &text, &scanned, &PyTuple_Type, &tries, &first)) return NULL;
    if (check_scanner(self, scanned) < 0) return NULL;
    if (PyTuple_GET_SIZE(tries) != PyTuple_GET_SIZE(self->prefixes) || PyUnicode_GET_LENGTH(scanned) != PyUnicode_GET_LENGTH(text)) {
        PyErr_SetString(PyExc_ValueError, "find: one try per prefix, and a scanned text as long as the text");
        return NULL;
    }
    int kind = PyUnicode_KIND(scanned);
    const void *data = PyUnicode_DATA(scanned);
    Py_ssize_t n = PyUnicode_GET_LENGTH(scanned), from = 0, end = 0, start;
    int32_t best;
    PyObject *found = first ? NULL : PyList_New(0);
    if (!first && !found) return NULL;
    while ((start = next_hit(self, kind, data, n, &from, &best)) >= 0) {
        if (start < end) continue;
        PyObject *position = PyLong_FromSsize_t(start);
        if (!position) goto fail;
        PyObject *call[2] = {text, position};
        PyObject *match = PyObject_Vectorcall(PyTuple_GET_ITEM(tries, best), call, 2, NULL);
        Py_DECREF(position);
        if (!match) goto fail;
        if (match == Py_None) {
            Py_DECREF(match);
            continue;
        }
        if (first) return match;
        PyObject *stop = PyObject_CallMethod(match, "end", NULL);
        end = stop ? PyLong_AsSsize_t(stop) : -1;
        Py_XDECREF(stop);
        if ((end == -1 && PyErr_Occurred()) || PyList_Append(found, match) < 0) {
            Py_DECREF(match);
            goto fail;
        }
        Py_DECREF(match);
    }
    if (first) Py_RETURN_NONE;
    return found;
fail:
    Py_XDECREF(found);
    return NULL;
}

/* replace_words(text, replacement) -> text with each longest run of the prefixes that stands as whole words replaced,
 * leftmost first: re.sub(r"\b(?:" + the prefixes, longest first + r")\b", replacement, text), a space in a prefix
 * matching a run of whitespace (with spaces=True).  At a word start the trie is walked as far as the text follows it,
 * and the deepest prefix that ends at a word boundary is the match (the regex's greedy trie backtracks to it). */
static PyObject *replace_words(const PrefixScanner *self, PyObject *text, PyObject *replacement) {
    const Trie *trie = &self->trie;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), kept = 0;
    PyObject *pieces = NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (!is_word_char(c) || (i > 0 && is_word_char(PyUnicode_READ(kind, data, i - 1)))) continue;
        int32_t node = trie_child(trie, 0, c);
        Py_ssize_t end = -1;
        for (Py_ssize_t j = i + 1; node >= 0; j++) {
            /* a prefix ends before j: a match if \b holds at j */
            if (trie->nodes[node].terminal >= 0
                && is_word_char(PyUnicode_READ(kind, data, j - 1)) != (j < n && is_word_char(PyUnicode_READ(kind, data, j))))
                end = j;
            if (j >= n) break;
            Py_UCS4 next = PyUnicode_READ(kind, data, j);
            if (self->spaces && is_any_space(next)) {
                while (j + 1 < n && is_any_space(PyUnicode_READ(kind, data, j + 1))) j++;
                next = ' ';
            }
            node = trie_child(trie, node, next);
        }
        if (end < 0) continue;
        if (!pieces && !(pieces = PyList_New(0))) return NULL;
        PyObject *before = PyUnicode_Substring(text, kept, i);
        if (!before || PyList_Append(pieces, before) < 0 || PyList_Append(pieces, replacement) < 0) {
            Py_XDECREF(before);
            Py_DECREF(pieces);
            return NULL;
        }
        Py_DECREF(before);
        kept = end;
        i = end - 1; /* the next match begins at or after this one's end */
    }
    if (!pieces) {
        Py_INCREF(text);
        return text;
    }
    PyObject *rest = PyUnicode_Substring(text, kept, n), *joined = NULL;
    if (rest && PyList_Append(pieces, rest) == 0) {
        PyObject *empty = PyUnicode_New(0, 0);
        if (empty) joined = PyUnicode_Join(empty, pieces);
        Py_XDECREF(empty);
    }
    Py_XDECREF(rest);
    Py_DECREF(pieces);
    return joined;
}

static PyObject *PrefixScanner_replace_words(PrefixScanner *self, PyObject *args) {
    PyObject *text, *replacement;
    if (!PyArg_ParseTuple(args, "UU", &text, &replacement)) return NULL;
    if (check_scanner(self, text) < 0) return NULL;
    return replace_words(self, text, replacement);
}

static PyMethodDef PrefixScanner_methods[] = {
    {"scan", (PyCFunction)PrefixScanner_scan, METH_O,
     "scan(text) -> [(start, prefix)]: the longest prefix beginning each word start of text that has one."},
    {"replace_words", (PyCFunction)PrefixScanner_replace_words, METH_VARARGS,
     "replace_words(text, replacement) -> text with each longest run of the prefixes that stands as whole words replaced "
     "(re.sub of \\b(?:prefixes, longest first)\\b)."},
    {"find", (PyCFunction)PrefixScanner_find, METH_VARARGS,
     "find(text, scanned, tries, first) -> the matches of tries[prefix](text, start) at the scan's hits in scanned, "
     "each after the last one's end (all of them, or with first the first match or None)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject PrefixScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pipeline._native.PrefixScanner",
    .tp_basicsize = sizeof(PrefixScanner),
    .tp_dealloc = (destructor)PrefixScanner_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Literal prefixes as a trie: PrefixScanner(prefixes, spaces=False).scan(text) -> [(start, prefix)]; with spaces, "
              "a \" \" in a prefix matches a run of whitespace.",
    .tp_methods = PrefixScanner_methods,
    .tp_init = (initproc)PrefixScanner_init,
    .tp_new = PyType_GenericNew,
};

/* ---------------------------------------------------------------------------------------------------------------
 * CueScanner: where each cue family of the lexicon first matches a sentence, in one pass (features._cue_matches's job).
 *
 * pipeline/lexicon.py's cue_programs() writes every alternative of a family's pattern \b(?:...) as literal strings
 * (optional parts, alternations and small classes spelled out) with four operations between them, which is all the
 * lexicon uses: \w* and \w+ (each followed by the end of the alternative or by a character that is not a word
 * character, so they read to the word's end), \b, and (?:\w+ )?.  The programs' leading literals form a trie; at every
 * word start the trie is walked along the text, and each program ending there is run on what follows.  A family's
 * first match is at the first word start where one of its programs succeeds, which is where its pattern's search
 * matches (every alternative begins a word).  The text is lower-cased and the programs are in lower case.
 *
 * Each family found is negated when features._NEGATED matches the `window` characters before it: a negation word
 * (one of `negators`, or with a trailing \w* any word they begin), then at most three more words, then the window's
 * end.  Its \W+ and (?:\w+\W+){0,3}$ read alternate runs of word and other characters to the end, so that is: the
 * window ends with a character that is not a word character, a negation word stands as a whole word (a word of the
 * window: its first one may be cut by the window's start, as the regex sees the slice) and at most three words follow.
 */
enum { OP_WORD_STAR = 1, OP_WORD_PLUS = 2, OP_BOUNDARY = 3, OP_OPTIONAL_WORD = 4 };

typedef struct {
    int32_t family, next;         /* next: the next entry ending at the same trie node (-1: none) */
    Py_ssize_t start, length;     /* the program after the literal, in the pool */
} CueEntry;

typedef struct {
    PyObject_HEAD
    Trie trie;                    /* a node's terminal: its first entry */
    CueEntry *entries;
    Py_UCS4 *pool;
    Py_ssize_t n_families;
    PyObject *negators;           /* tuple of str: negation words, lower case; a final \x01 (\w*) lets one begin a word */
    Py_ssize_t window;            /* characters before a cue searched for a negation */
    Py_ssize_t reach;             /* how many of the window's last words a negation word can begin: 4, more for "far from" */
} CueScanner;

static void CueScanner_dealloc(CueScanner *self) {
    trie_free(&self->trie);
    PyMem_Free(self->entries);
    PyMem_Free(self->pool);
    Py_XDECREF(self->negators);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* CueScanner(programs, n_families, negators, window): programs a sequence of (literal, family, program) with a
 * non-empty literal. */
static int CueScanner_init(CueScanner *self, PyObject *args, PyObject *kwds) {
    PyObject *programs, *negators;
    Py_ssize_t n_families, window;
    static char *kwlist[] = {"programs", "n_families", "negators", "window", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OnO!n", kwlist, &programs, &n_families, &PyTuple_Type, &negators, &window))
        return -1;
    self->reach = 4;
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(negators); k++) {
        PyObject *word = PyTuple_GET_ITEM(negators, k);
        if (!PyUnicode_Check(word) || PyUnicode_GET_LENGTH(word) == 0) {
            PyErr_SetString(PyExc_TypeError, "CueScanner: each negator must be a non-empty str");
            return -1;
        }
        Py_ssize_t words = 4; /* one more for each word the negation word is followed by within itself */
        for (Py_ssize_t i = 1; i < PyUnicode_GET_LENGTH(word); i++)
            words += is_word_char(PyUnicode_READ_CHAR(word, i)) && !is_word_char(PyUnicode_READ_CHAR(word, i - 1));
        if (words > self->reach) self->reach = words;
    }
    if (window < 0) {
        PyErr_SetString(PyExc_ValueError, "CueScanner: the window must not be negative");
        return -1;
    }
    Py_INCREF(negators);
    Py_XSETREF(self->negators, negators);
    self->window = window;
    PyObject *tuple = PySequence_Tuple(programs);
    if (!tuple) return -1;
    Py_ssize_t n = PyTuple_GET_SIZE(tuple), pool_length = 0;
    for (Py_ssize_t e = 0; e < n; e++) {
        PyObject *literal, *program;
        int family;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(tuple, e), "UiU", &literal, &family, &program) || PyUnicode_GET_LENGTH(literal) == 0
            || family < 0 || family >= n_families) {
            PyErr_Clear();
            PyErr_SetString(PyExc_TypeError, "CueScanner(programs, n_families): each program is (non-empty str, family, str)");
            Py_DECREF(tuple);
            return -1;
        }
        pool_length += PyUnicode_GET_LENGTH(program);
    }
    PyMem_Free(self->entries);
    PyMem_Free(self->pool);
    self->entries = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(CueEntry));
    self->pool = PyMem_Malloc((size_t)(pool_length ? pool_length : 1) * sizeof(Py_UCS4));
    self->n_families = n_families;
    if (!self->entries || !self->pool) {
        PyErr_NoMemory();
        Py_DECREF(tuple);
        return -1;
    }
    if (trie_init(&self->trie) < 0) {
        Py_DECREF(tuple);
        return -1;
    }
    Py_ssize_t used = 0;
    for (Py_ssize_t e = n - 1; e >= 0; e--) { /* in reverse, so that each node's list is in the given order */
        PyObject *item = PyTuple_GET_ITEM(tuple, e);
        PyObject *literal = PyTuple_GET_ITEM(item, 0), *program = PyTuple_GET_ITEM(item, 2);
        int32_t node = trie_insert(&self->trie, literal);
        if (node < 0) {
            Py_DECREF(tuple);
            return -1;
        }
        Py_ssize_t length = PyUnicode_GET_LENGTH(program);
        if (length && !PyUnicode_AsUCS4(program, self->pool + used, length, 0)) {
            Py_DECREF(tuple);
            return -1;
        }
        self->entries[e] = (CueEntry){(int32_t)PyLong_AsLong(PyTuple_GET_ITEM(item, 1)), self->trie.nodes[node].terminal, used, length};
        self->trie.nodes[node].terminal = (int32_t)e;
        used += length;
    }
    Py_DECREF(tuple);
    return trie_finish(&self->trie);
}

/* Whether program p (m operations and characters) matches text[j:] from its start. */
static int run_program(const Py_UCS4 *p, Py_ssize_t m, int kind, const void *data, Py_ssize_t n, Py_ssize_t j) {
    for (Py_ssize_t k = 0; k < m; k++) {
        switch (p[k]) {
        case OP_WORD_PLUS:
            if (j >= n || !is_word_char(PyUnicode_READ(kind, data, j))) return 0;
            /* fall through: then as \w*, to the word's end */
        case OP_WORD_STAR:
            if (k + 1 == m) return 1;
            while (j < n && is_word_char(PyUnicode_READ(kind, data, j))) j++;
            break;
        case OP_BOUNDARY:
            if ((j > 0 && is_word_char(PyUnicode_READ(kind, data, j - 1))) == (j < n && is_word_char(PyUnicode_READ(kind, data, j))))
                return 0;
            break;
        case OP_OPTIONAL_WORD: /* without the word, or with one word and a space */
            if (run_program(p + k + 1, m - k - 1, kind, data, n, j)) return 1;
            if (j >= n || !is_word_char(PyUnicode_READ(kind, data, j))) return 0;
            while (j < n && is_word_char(PyUnicode_READ(kind, data, j))) j++;
            if (j >= n || PyUnicode_READ(kind, data, j) != ' ') return 0;
            j++;
            break;
        default:
            if (j >= n || PyUnicode_READ(kind, data, j) != p[k]) return 0;
            j++;
        }
    }
    return 1;
}

/* Whether negation word `word` stands at text[p:] and ends a word there: then the index after it, else -1. */
static Py_ssize_t negator_at(PyObject *word, int kind, const void *data, Py_ssize_t p, Py_ssize_t end) {
    int word_kind = PyUnicode_KIND(word);
    const void *word_data = PyUnicode_DATA(word);
    Py_ssize_t length = PyUnicode_GET_LENGTH(word);
    int star = PyUnicode_READ(word_kind, word_data, length - 1) == OP_WORD_STAR;
    if (star) length--;
    if (p + length > end) return -1;
    for (Py_ssize_t k = 0; k < length; k++)
        if (PyUnicode_READ(kind, data, p + k) != PyUnicode_READ(word_kind, word_data, k)) return -1;
    p += length;
    if (star)
        while (p < end && is_word_char(PyUnicode_READ(kind, data, p))) p++;
    return p < end && !is_word_char(PyUnicode_READ(kind, data, p)) ? p : -1;
}

/* Whether a negation word is among the (at most) four words before `start` in the window (features._negated_before). */
static int negated_before(const CueScanner *self, int kind, const void *data, Py_ssize_t start) {
    Py_ssize_t from = start > self->window ? start - self->window : 0;
    if (start == from || is_word_char(PyUnicode_READ(kind, data, start - 1))) return 0; /* $ needs \W+ before it */
    /* Walk back over the window's last words (four, or more for a negation word of two); one of them must begin it. */
    Py_ssize_t p = start, words = 0;
    while (p > from && words < self->reach) {
        while (p > from && !is_word_char(PyUnicode_READ(kind, data, p - 1))) p--;
        if (p == from) break;
        while (p > from && is_word_char(PyUnicode_READ(kind, data, p - 1))) p--;
        words++; /* a word begins at p (as the slice sees it) */
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(self->negators); k++) {
            Py_ssize_t after = negator_at(PyTuple_GET_ITEM(self->negators, k), kind, data, p, start);
            if (after < 0) continue;
            Py_ssize_t later = 0; /* the words after the negation word: at most three */
            for (Py_ssize_t q = after; q < start; q++)
                if (is_word_char(PyUnicode_READ(kind, data, q)) && !is_word_char(PyUnicode_READ(kind, data, q - 1))) later++;
            if (later <= 3) return 1;
        }
    }
    return 0;
}

/* Each family's first match in lower-cased text (first[f], -1 for none) and whether it is negated (negated[f]). */
static void cue_scan(const CueScanner *self, PyObject *text, Py_ssize_t *first, uint8_t *negated) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), missing = self->n_families;
    for (Py_ssize_t f = 0; f < self->n_families; f++) first[f] = -1;
    const Trie *trie = &self->trie;
    int previous_is_word = 0;
    for (Py_ssize_t i = 0; i < n && missing; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        int word = is_word_char(c);
        if (word && !previous_is_word) {
            int32_t node = trie_child(trie, 0, c);
            for (Py_ssize_t j = i + 1; node >= 0; j++) {
                for (int32_t e = trie->nodes[node].terminal; e >= 0; e = self->entries[e].next) {
                    const CueEntry *entry = &self->entries[e];
                    if (first[entry->family] < 0 && run_program(self->pool + entry->start, entry->length, kind, data, n, j)) {
                        first[entry->family] = i;
                        missing--;
                    }
                }
                if (j >= n) break;
                node = trie_child(trie, node, PyUnicode_READ(kind, data, j));
            }
        }
        previous_is_word = word;
    }
    for (Py_ssize_t f = 0; f < self->n_families; f++) negated[f] = first[f] >= 0 && negated_before(self, kind, data, first[f]);
}

static PyObject *CueScanner_scan(CueScanner *self, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "scan() takes a str");
        return NULL;
    }
    if (!self->trie.edges) {
        PyErr_SetString(PyExc_ValueError, "CueScanner was not initialised");
        return NULL;
    }
    Py_ssize_t *first = PyMem_Malloc((size_t)(self->n_families ? self->n_families : 1) * sizeof(Py_ssize_t));
    uint8_t *negated = PyMem_Malloc((size_t)(self->n_families ? self->n_families : 1));
    PyObject *found = first && negated ? PyList_New(0) : PyErr_NoMemory();
    if (found) cue_scan(self, text, first, negated);
    for (Py_ssize_t f = 0; found && f < self->n_families; f++) {
        if (first[f] < 0) continue;
        PyObject *triple = Py_BuildValue("(nnO)", f, first[f], negated[f] ? Py_True : Py_False);
        if (!triple || PyList_Append(found, triple) < 0) Py_CLEAR(found);
        Py_XDECREF(triple);
    }
    PyMem_Free(first);
    PyMem_Free(negated);
    return found;
}

static PyMethodDef CueScanner_methods[] = {
    {"scan", (PyCFunction)CueScanner_scan, METH_O,
     "scan(lower_cased_text) -> [(family, start, negated)]: where each family first matches, in family order, and whether "
     "a negation word stands before it."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject CueScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pipeline._native.CueScanner",
    .tp_basicsize = sizeof(CueScanner),
    .tp_dealloc = (destructor)CueScanner_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The cue lexicon's programs (pipeline.lexicon.cue_programs): CueScanner(programs, n_families, negators, window)"
              ".scan(text) -> [(family, start, negated)].",
    .tp_methods = CueScanner_methods,
    .tp_init = (initproc)CueScanner_init,
    .tp_new = PyType_GenericNew,
};

/* tokens(text) -> list of str: what the native tokenizer reads (tested equal to the regex). */
static PyObject *native_tokens(PyObject *module, PyObject *text) {
    (void)module;
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "tokens() takes a str");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_ssize_t *spans = PyMem_Malloc((size_t)(2 * (n + 1)) * sizeof(Py_ssize_t));
    if (!spans) return PyErr_NoMemory();
    Py_ssize_t count = tokenize(PyUnicode_KIND(text), PyUnicode_DATA(text), n, spans);
    PyObject *list = PyList_New(count);
    for (Py_ssize_t t = 0; list && t < count; t++) {
        PyObject *s = PyUnicode_Substring(text, spans[2 * t], spans[2 * t + 1]);
        if (!s) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, t, s);
    }
    PyMem_Free(spans);
    return list;
}

/* A letter of ingest's word regex [^\W\d_]: a word character (alnum or "_") that is neither a decimal digit nor "_". */
static inline int is_word_letter(Py_UCS4 c) {
    if (c < 128) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c);
}

/* words(text, limit=-1) -> list of str: the first `limit` (all if negative) matches of ingest's
 * [^\W\d_]+(?:['’-][^\W\d_]+)*, what pipeline/ingest.py counts a line's words with (tested equal to the regex). */
static PyObject *native_words(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *text;
    Py_ssize_t limit = -1;
    if (!PyArg_ParseTuple(args, "U|n", &text, &limit)) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0;
    PyObject *list = PyList_New(0);
    while (list && i < n && (limit < 0 || PyList_GET_SIZE(list) < limit)) {
        if (!is_word_letter(PyUnicode_READ(kind, data, i))) {
            i++;
            continue;
        }
        Py_ssize_t start = i;
        while (i < n && is_word_letter(PyUnicode_READ(kind, data, i))) i++;
        while (i + 1 < n) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (!(c == '\'' || c == 0x2019 || c == '-') || !is_word_letter(PyUnicode_READ(kind, data, i + 1))) break;
            i++;
            while (i < n && is_word_letter(PyUnicode_READ(kind, data, i))) i++;
        }
        PyObject *word = PyUnicode_Substring(text, start, i);
        if (!word || PyList_Append(list, word) < 0) Py_CLEAR(list);
        Py_XDECREF(word);
    }
    return list;
}

/* ---------------------------------------------------------------------------------------------------------------
 * WordIndex.article: an article's sentences read by the analyzer and by the model in one call, what
 * pipeline/features.py's article_features (same_article) or analyze(document(t, o, ALONE)) and the linear layer compute:
 * for each sentence, its canonical text (pipeline/names.py: quotes folded, the OSCE's long names shortened, the countries
 * replaced), the cue families found in it and their negation, its target and context features, then its word features.
 * The analyzer is a tuple built once by features.compiled_analyzer(); its parts are the compiled scanners and, for the
 * rare text they do not cover, the Python functions (the long names' regexes; the cue families' case-blind searches in
 * text with special case folds).
 */
enum {
    A_COUNTRIES, A_COUNTRY, A_CUES, A_SHORT_NAMES, A_TRIGGERS, A_SPECIAL, A_FALLBACK, A_CHECK, A_MARK, A_QUOTES_FROM, A_QUOTES_TO,
    A_CONTRACTION, A_NOT, A_KINDS, A_EXTRAS, A_SIZE
};
/* The layout of the analyzer's feature names (features.compiled_analyzer): then cue, ocue, cue:neg of each family. */
enum { X_OSCE, X_NONE, X_CRIT, X_COOP, X_TIE, X_CRIT2, X_COOP2, X_FAMILIES };
enum { KIND_COOPERATIVE = 1, KIND_CRITICAL = 2 };

/* Whether text holds one of the (few, non-ASCII) characters of chars: one pass over text. */
static int has_any_char(PyObject *text, PyObject *chars) {
    if (PyUnicode_IS_ASCII(text)) return 0;
    int kind = PyUnicode_KIND(text), chars_kind = PyUnicode_KIND(chars);
    const void *data = PyUnicode_DATA(text), *chars_data = PyUnicode_DATA(chars);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), m = PyUnicode_GET_LENGTH(chars);
    Py_UCS4 lowest = 0x10FFFF;
    for (Py_ssize_t k = 0; k < m; k++)
        if (PyUnicode_READ(chars_kind, chars_data, k) < lowest) lowest = PyUnicode_READ(chars_kind, chars_data, k);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < lowest) continue;
        for (Py_ssize_t k = 0; k < m; k++)
            if (c == PyUnicode_READ(chars_kind, chars_data, k)) return 1;
    }
    return 0;
}

/* has_any(text, chars) -> whether text holds one of the characters of chars. */
static PyObject *native_has_any(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *text, *chars;
    if (!PyArg_ParseTuple(args, "UU", &text, &chars)) return NULL;
    return PyBool_FromLong(has_any_char(text, chars));
}

/* text with every occurrence of each character of from replaced by the character of to at the same place (a new
 * reference; NULL on error).  Takes over the reference to text. */
static PyObject *fold_chars(PyObject *text, PyObject *from, PyObject *to) {
    if (PyUnicode_IS_ASCII(text)) return text;
    for (Py_ssize_t k = 0; text && k < PyUnicode_GET_LENGTH(from); k++) {
        if (PyUnicode_FindChar(text, PyUnicode_READ_CHAR(from, k), 0, PyUnicode_GET_LENGTH(text), 1) < 0) continue;
        PyObject *a = PyUnicode_Substring(from, k, k + 1), *b = PyUnicode_Substring(to, k, k + 1), *folded = NULL;
        if (a && b) folded = PyUnicode_Replace(text, a, b, -1);
        Py_XDECREF(a);
        Py_XDECREF(b);
        Py_DECREF(text);
        text = folded;
    }
    return text;
}

/* names.canonical(text with the context mark read as a space), as a new reference. */
static PyObject *canonical_text(PyObject *const *a, PyObject *text) {
    Py_INCREF(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (PyUnicode_FindChar(text, PyUnicode_READ_CHAR(a[A_MARK], 0), 0, n, 1) >= 0) {
        PyObject *space = PyUnicode_FromOrdinal(' '), *spaced = space ? PyUnicode_Replace(text, a[A_MARK], space, -1) : NULL;
        Py_XDECREF(space);
        Py_DECREF(text);
        if (!(text = spaced)) return NULL;
    }
    if (!(text = fold_chars(text, a[A_QUOTES_FROM], a[A_QUOTES_TO]))) return NULL;
    /* names.short_names rewrites only text holding all the words of one of the triggers (in any case), or text with
     * special case folds; other text it returns as it is. */
    int shorten = has_any_char(text, a[A_SPECIAL]);
    if (!shorten) {
        PyObject *low = PyObject_CallMethod(text, "lower", NULL);
        if (!low) goto fail;
        for (Py_ssize_t g = 0; !shorten && g < PyTuple_GET_SIZE(a[A_TRIGGERS]); g++) {
            PyObject *group = PyTuple_GET_ITEM(a[A_TRIGGERS], g);
            shorten = 1;
            for (Py_ssize_t w = 0; shorten && w < PyTuple_GET_SIZE(group); w++) {
                Py_ssize_t at = PyUnicode_Find(low, PyTuple_GET_ITEM(group, w), 0, PyUnicode_GET_LENGTH(low), 1);
                if (at == -2) {
                    Py_DECREF(low);
                    goto fail;
                }
                shorten = at >= 0;
            }
        }
        Py_DECREF(low);
    }
    if (shorten) {
        PyObject *short_text = PyObject_CallOneArg(a[A_SHORT_NAMES], text);
        Py_DECREF(text);
        if (!(text = short_text)) return NULL;
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "article: the analyzer's short_names must return a str");
            goto fail;
        }
    }
    PyObject *replaced = replace_words((PrefixScanner *)a[A_COUNTRIES], text, a[A_COUNTRY]);
    Py_DECREF(text);
    return replaced;
fail:
    Py_DECREF(text);
    return NULL;
}

static int resolve_extras(WordIndex *self, PyObject *extras) {
    if (self->extras == extras) return 0;
    Py_ssize_t n = PyTuple_GET_SIZE(extras);
    int32_t *ids = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(int32_t));
    if (!ids) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t length;
        const char *utf8 = PyUnicode_Check(PyTuple_GET_ITEM(extras, k)) ? PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(extras, k), &length) : NULL;
        if (!utf8) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "the analyzer's feature names must be str");
            PyMem_Free(ids);
            return -1;
        }
        ids[k] = lookup(self, (const uint8_t *)utf8, length, hash_key((const uint8_t *)utf8, length));
    }
    PyMem_Free(self->extra_ids);
    self->extra_ids = ids;
    Py_INCREF(extras);
    Py_XSETREF(self->extras, extras);
    return 0;
}

static int push_known(Ids *ids, int32_t id) { return id < 0 ? 0 : push(ids, id); }

static PyObject *WordIndex_article(WordIndex *self, PyObject *args) {
    PyObject *texts_in, *osce_in, *analyzer;
    int same_article;
    if (!PyArg_ParseTuple(args, "OOpO!", &texts_in, &osce_in, &same_article, &PyTuple_Type, &analyzer)) return NULL;
    PyObject *const *a = &PyTuple_GET_ITEM(analyzer, 0);
    if (PyTuple_GET_SIZE(analyzer) != A_SIZE || !PyObject_TypeCheck(a[A_COUNTRIES], &PrefixScannerType)
        || !PyObject_TypeCheck(a[A_CUES], &CueScannerType) || !PyTuple_Check(a[A_TRIGGERS]) || !PyBytes_Check(a[A_KINDS])
        || !PyTuple_Check(a[A_EXTRAS]) || !PyUnicode_Check(a[A_MARK]) || PyUnicode_GET_LENGTH(a[A_MARK]) != 1
        || !PyUnicode_Check(a[A_QUOTES_FROM]) || !PyUnicode_Check(a[A_QUOTES_TO])
        || PyUnicode_GET_LENGTH(a[A_QUOTES_FROM]) != PyUnicode_GET_LENGTH(a[A_QUOTES_TO]) || !PyUnicode_Check(a[A_SPECIAL])
        || !PyUnicode_Check(a[A_COUNTRY]) || !PyUnicode_Check(a[A_CONTRACTION]) || !PyUnicode_Check(a[A_NOT])) {
        PyErr_SetString(PyExc_TypeError, "article: the analyzer is not what pipeline.features.compiled_analyzer() builds");
        return NULL;
    }
    const CueScanner *cues = (const CueScanner *)a[A_CUES];
    Py_ssize_t F = cues->n_families;
    if (PyBytes_GET_SIZE(a[A_KINDS]) != F || PyTuple_GET_SIZE(a[A_EXTRAS]) != X_FAMILIES + 3 * F || !cues->trie.edges
        || !((PrefixScanner *)a[A_COUNTRIES])->trie.edges) {
        PyErr_SetString(PyExc_ValueError, "article: the analyzer's families, kinds and feature names do not agree");
        return NULL;
    }
    if (resolve_extras(self, a[A_EXTRAS]) < 0) return NULL;
    const uint8_t *kinds = (const uint8_t *)PyBytes_AS_STRING(a[A_KINDS]);
    PyObject *texts = PySequence_Fast(texts_in, "article: texts must be a sequence"), *osce = NULL, *result = NULL;
    if (!texts || !(osce = PySequence_Fast(osce_in, "article: osce must be a sequence"))) goto done_early;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(texts);
    if (PySequence_Fast_GET_SIZE(osce) != n) {
        PyErr_SetString(PyExc_ValueError, "article: texts and osce differ in length");
        goto done_early;
    }
    Py_ssize_t width = 1 + 3 * F; /* the target and the cues of one sentence, at most */
    PyObject **words = PyMem_Calloc((size_t)(n ? n : 1), sizeof(PyObject *));
    int32_t *extra = PyMem_Malloc((size_t)(n ? n : 1) * (size_t)width * sizeof(int32_t));
    Py_ssize_t *n_extra = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
    uint8_t *leaning = PyMem_Calloc((size_t)(n ? n : 1), 1); /* KIND_ bits of the families an OSCE sentence holds */
    Py_ssize_t *first = PyMem_Malloc((size_t)(F ? F : 1) * sizeof(Py_ssize_t));
    uint8_t *negated = PyMem_Malloc((size_t)(F ? F : 1));
    Ids ids = {NULL, 0, 0, NULL, 0};
    uint8_t *key = NULL;
    Py_ssize_t *spans = NULL, key_capacity = 0, spans_capacity = 0;
    if (!words || !extra || !n_extra || !leaning || !first || !negated) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!(i & 63)) { /* the time budget, every 64 sentences as features.article_features checks it */
            PyObject *checked = PyObject_CallNoArgs(a[A_CHECK]);
            if (!checked) goto done;
            Py_DECREF(checked);
        }
        PyObject *text = PySequence_Fast_GET_ITEM(texts, i);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "article: texts must be str");
            goto done;
        }
        int o = PyObject_IsTrue(PySequence_Fast_GET_ITEM(osce, i));
        if (o < 0) goto done;
        PyObject *canon = canonical_text(a, text), *low = canon ? PyObject_CallMethod(canon, "lower", NULL) : NULL;
        if (!low) {
            Py_XDECREF(canon);
            goto done;
        }
        if (has_any_char(canon, a[A_SPECIAL])) { /* features._cue_matches's reference path: the families' own searches */
            PyObject *found = PyObject_CallOneArg(a[A_FALLBACK], canon), *fast = found ? PySequence_Fast(found, "") : NULL;
            Py_XDECREF(found);
            for (Py_ssize_t f = 0; f < F; f++) first[f] = -1;
            for (Py_ssize_t k = 0; fast && k < PySequence_Fast_GET_SIZE(fast); k++) {
                Py_ssize_t f;
                int neg;
                if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(fast, k), "np", &f, &neg) || f < 0 || f >= F) {
                    if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "article: the fallback gave a family out of range");
                    Py_CLEAR(fast);
                    break;
                }
                first[f] = 0;
                negated[f] = (uint8_t)neg;
            }
            if (!fast) {
                Py_DECREF(canon);
                Py_DECREF(low);
                goto done;
            }
            Py_DECREF(fast);
        } else {
            cue_scan(cues, low, first, negated);
        }
        Py_DECREF(canon);
        words[i] = PyUnicode_Replace(low, a[A_CONTRACTION], a[A_NOT], -1); /* features.word_text */
        Py_DECREF(low);
        if (!words[i]) goto done;
        int32_t *mine = extra + i * width;
        Py_ssize_t m = 0;
        mine[m++] = self->extra_ids[o ? X_OSCE : X_NONE];
        for (Py_ssize_t f = 0; f < F; f++) {
            if (first[f] < 0) continue;
            mine[m++] = self->extra_ids[X_FAMILIES + 3 * f];
            if (o) mine[m++] = self->extra_ids[X_FAMILIES + 3 * f + 1];
            if (negated[f]) mine[m++] = self->extra_ids[X_FAMILIES + 3 * f + 2];
            if (o) leaning[i] |= kinds[f];
        }
        n_extra[i] = m;
    }
    Py_ssize_t n_coop = 0, n_crit = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        n_coop += (leaning[i] & KIND_COOPERATIVE) != 0;
        n_crit += (leaning[i] & KIND_CRITICAL) != 0;
    }
    if (!(result = PyByteArray_FromStringAndSize(NULL, n * self->n_labels * (Py_ssize_t)sizeof(double)))) goto done;
    double *out = (double *)PyByteArray_AS_STRING(result);
    for (Py_ssize_t i = 0; i < n; i++) {
        ids.n = 0;
        for (Py_ssize_t k = 0; k < n_extra[i]; k++)
            if (push_known(&ids, extra[i * width + k]) < 0) goto nomemory;
        /* features._contexts: how the article's other OSCE sentences lean (a sentence alone: a tie) */
        Py_ssize_t coop = same_article ? n_coop - ((leaning[i] & KIND_COOPERATIVE) != 0) : 0;
        Py_ssize_t crit = same_article ? n_crit - ((leaning[i] & KIND_CRITICAL) != 0) : 0;
        if (push_known(&ids, self->extra_ids[crit > coop ? X_CRIT : coop > crit ? X_COOP : X_TIE]) < 0
            || (crit >= 2 && push_known(&ids, self->extra_ids[X_CRIT2]) < 0)
            || (coop >= 2 && push_known(&ids, self->extra_ids[X_COOP2]) < 0)
            || word_ids(self, words[i], &ids, &key, &key_capacity, &spans, &spans_capacity) < 0
            || probabilities(self, &ids, out + i * self->n_labels) < 0)
            goto nomemory;
    }
    goto done;
nomemory:
    PyErr_NoMemory();
    Py_CLEAR(result);
done:
    for (Py_ssize_t i = 0; words && i < n; i++) Py_XDECREF(words[i]);
    PyMem_Free(words);
    PyMem_Free(extra);
    PyMem_Free(n_extra);
    PyMem_Free(leaning);
    PyMem_Free(first);
    PyMem_Free(negated);
    PyMem_Free(ids.ids);
    PyMem_Free(ids.table);
    PyMem_Free(key);
    PyMem_Free(spans);
done_early:
    Py_XDECREF(texts);
    Py_XDECREF(osce);
    return result;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Sentence spans: pipeline/segment.py's rules (Punkt with the project's parameters), in one pass over each line.
 *
 * The reference is segment.sentence_spans (itself tested equal to NLTK's PunktSentenceTokenizer); tests/test_native.py
 * holds this equal to it on every corpus article and under hypothesis.  Tokens are segment._TOKEN's matches, read
 * as rules:
 *   - a run of two or more "-" or ".", or Punkt's spaced ellipsis (?:\.\s){2,}\. ;
 *   - a word: a first character outside \s ( " ` { [ : ; & # * @ ) } ] - , then every character up to a word end
 *     (\s, the line's end, a character of NON_WORD, a run as above, or a comma before one of those);
 *   - otherwise one non-space character.
 */
typedef struct {
    int kind;
    const void *data;
    Py_ssize_t n;
} Line;

static inline Py_UCS4 at(const Line *l, Py_ssize_t i) { return i < l->n ? PyUnicode_READ(l->kind, l->data, i) : 0; }

enum { C_NON_WORD = 1, C_NOT_WORD_START = 2, C_CLOSER = 4 };

/* The ASCII members of each class (built on first use), and the rest spelled out below. */
static unsigned char ascii_class[128];

static void init_ascii_classes(void) {
    static int done = 0;
    if (done) return;
    for (const char *p = ")\";}]*:@'({[?!"; *p; p++) ascii_class[(unsigned char)*p] |= C_NON_WORD;
    for (const char *p = "(\"`{[:;&#*@)}]-,"; *p; p++) ascii_class[(unsigned char)*p] |= C_NOT_WORD_START;
    for (const char *p = "\"')]}"; *p; p++) ascii_class[(unsigned char)*p] |= C_CLOSER;
    done = 1;
}

/* segment._NON_WORD: )";}]*:@'({[‘’“”«»?! */
static inline int is_non_word(Py_UCS4 c) {
    return c < 128 ? ascii_class[c] & C_NON_WORD : (c == 0x2018 || c == 0x2019 || c == 0x201c || c == 0x201d || c == 0xab || c == 0xbb);
}
/* What a word token cannot start with: \s ( " ` { [ : ; & # * @ ) } ] - , */
static inline int is_not_word_start(Py_UCS4 c) { return is_any_space(c) || (c < 128 && ascii_class[c] & C_NOT_WORD_START); }
/* segment.CLOSERS: "'»”’)]} */
static inline int is_closer(Py_UCS4 c) { return c < 128 ? ascii_class[c] & C_CLOSER : (c == 0xbb || c == 0x201d || c == 0x2019); }

/* The length of _MULTI_CHAR's match at i, or 0. */
static Py_ssize_t multi_char(const Line *l, Py_ssize_t i) {
    Py_UCS4 c = at(l, i);
    if ((c == '-' || c == '.') && at(l, i + 1) == c) {
        Py_ssize_t j = i;
        while (j < l->n && at(l, j) == c) j++;
        return j - i;
    }
    if (c != '.') return 0;
    Py_ssize_t k = 0; /* repetitions of "." followed by a space */
    while (i + 2 * k + 1 < l->n && at(l, i + 2 * k) == '.' && is_any_space(at(l, i + 2 * k + 1))) k++;
    if (k >= 2 && i + 2 * k < l->n && at(l, i + 2 * k) == '.') return 2 * k + 1;
    if (k >= 3) return 2 * k - 1; /* one repetition given back: its "." ends the match */
    return 0;
}

static int word_end(const Line *l, Py_ssize_t i) {
    if (i >= l->n) return 1;
    Py_UCS4 c = at(l, i);
    if (is_any_space(c) || is_non_word(c) || multi_char(l, i)) return 1;
    if (c == ',') {
        Py_UCS4 d = at(l, i + 1);
        return i + 1 >= l->n || is_any_space(d) || is_non_word(d) || multi_char(l, i + 1) > 0;
    }
    return 0;
}

/* The end of the token that starts at i (a non-space character). */
static Py_ssize_t token_end(const Line *l, Py_ssize_t i) {
    Py_ssize_t run = multi_char(l, i);
    if (run) return i + run;
    if (is_not_word_start(at(l, i))) return i + 1;
    Py_ssize_t j = i + 1;
    while (!word_end(l, j)) j++;
    return j;
}

static int is_decimal(Py_UCS4 c) { return c < 128 ? (c >= '0' && c <= '9') : Py_UNICODE_ISDECIMAL(c); }

/* segment._NUMBER: -?[.,]?\d[\d,.-]*\.?\Z */
static int is_number(const Line *l, Py_ssize_t s, Py_ssize_t e) {
    Py_ssize_t i = s;
    if (i < e && at(l, i) == '-') i++;
    if (i < e && (at(l, i) == '.' || at(l, i) == ',')) i++;
    if (i >= e || !is_decimal(at(l, i))) return 0;
    for (i++; i < e; i++) {
        Py_UCS4 c = at(l, i);
        if (!(is_decimal(c) || c == ',' || c == '.' || c == '-')) return 0;
    }
    return 1;
}

/* Whether base (the token without its final ".") lower-cased is one of the abbreviations, or its part after the last
 * hyphen is.  str.lower() of a character can be ASCII only where its simple lower case is, except "İ" (U+0130),
 * whose lower case is two characters; the abbreviations are ASCII. */
static int is_abbreviation(PyObject *abbreviations, const Line *l, Py_ssize_t s, Py_ssize_t e, int *error) {
    char buffer[64];
    for (int pass = 0; pass < 2; pass++) {
        Py_ssize_t from = s;
        if (pass == 1) {
            Py_ssize_t hyphen = -1;
            for (Py_ssize_t i = s; i < e; i++)
                if (at(l, i) == '-') hyphen = i;
            if (hyphen < 0) return 0;
            from = hyphen + 1;
        }
        if (e - from >= (Py_ssize_t)sizeof buffer) continue; /* longer than any abbreviation */
        int ascii = 1;
        for (Py_ssize_t i = from; i < e && ascii; i++) {
            Py_UCS4 c = at(l, i), low = c == 0x130 ? 0x130 : Py_UNICODE_TOLOWER(c);
            if (low >= 128) ascii = 0;
            else buffer[i - from] = (char)low;
        }
        if (!ascii) continue;
        PyObject *key = PyUnicode_FromStringAndSize(buffer, e - from);
        if (!key) {
            *error = 1;
            return 0;
        }
        int found = PySet_Contains(abbreviations, key);
        Py_DECREF(key);
        if (found < 0) {
            *error = 1;
            return 0;
        }
        if (found) return 1;
    }
    return 0;
}

/* segment._ends_sentence for the token [s, e) followed by the token [fs, fe) (fs < 0: none). -1 on error. */
static int ends_sentence(PyObject *abbreviations, const Line *l, Py_ssize_t s, Py_ssize_t e, Py_ssize_t fs, Py_ssize_t fe) {
    Py_UCS4 last = at(l, e - 1);
    if (e - s == 1 && (last == '.' || last == '?' || last == '!')) return 1;
    if (last != '.' || (e - s >= 2 && at(l, e - 2) == '.')) return 0;
    int error = 0;
    if (is_abbreviation(abbreviations, l, s, e - 1, &error)) return 0;
    if (error) return -1;
    if (fs < 0) return 1;
    Py_UCS4 first = at(l, s);
    int initial = e - s == 2 && is_word_char(first) && !is_decimal(first);
    if (initial || is_number(l, s, e)) {
        Py_UCS4 f = at(l, fs);
        if ((fe - fs == 1 && (f == ';' || f == ':' || f == ',' || f == '.' || f == '!' || f == '?')) || Py_UNICODE_ISLOWER(f)) return 0;
        if (initial && Py_UNICODE_ISUPPER(f)) return 0;
    }
    return 1;
}

static int add_span(PyObject *spans, Py_ssize_t s, Py_ssize_t e) {
    PyObject *span = Py_BuildValue("(nn)", s, e);
    if (!span) return -1;
    int result = PyList_Append(spans, span);
    Py_DECREF(span);
    return result;
}

/* segment._add: the stripped span [start, end) of the line at offset, cut before max_chars at spaces. */
static int add_sentence(PyObject *spans, const Line *l, Py_ssize_t start, Py_ssize_t end, Py_ssize_t offset, Py_ssize_t max_chars) {
    if (end > l->n) end = l->n;
    Py_ssize_t s = start, e = end;
    while (s < e && is_any_space(at(l, s))) s++;
    while (e > s && is_any_space(at(l, e - 1))) e--;
    if (e <= s) return 0; /* empty or all space */
    while (e - s > max_chars) {
        Py_ssize_t cut = s + max_chars, space = cut;
        while (space > s && !is_any_space(at(l, space))) space--;
        if (space > s) cut = space;
        Py_ssize_t piece_end = cut;
        while (piece_end > s && is_any_space(at(l, piece_end - 1))) piece_end--;
        if (add_span(spans, offset + s, offset + piece_end) < 0) return -1;
        s = cut;
        while (s < e && is_any_space(at(l, s))) s++;
    }
    if (e > s && add_span(spans, offset + s, offset + e) < 0) return -1;
    return 0;
}

/* sentence_spans(text, abbreviations, max_chars) -> [(start, end)]: segment.sentence_spans of text (quotes already folded). */
static PyObject *native_sentence_spans(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *text, *abbreviations;
    Py_ssize_t max_chars;
    if (!PyArg_ParseTuple(args, "UO!n", &text, &PyFrozenSet_Type, &abbreviations, &max_chars)) return NULL;
    if (max_chars < 1) {
        PyErr_SetString(PyExc_ValueError, "max_chars must be positive");
        return NULL;
    }
    init_ascii_classes();
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *spans = PyList_New(0);
    if (!spans) return NULL;
    for (Py_ssize_t line_start = 0; line_start <= n;) {
        Py_ssize_t line_end = line_start;
        while (line_end < n && PyUnicode_READ(kind, data, line_end) != '\n') line_end++;
        Line l = {kind, (const char *)data + line_start * kind, line_end - line_start};
        int blank = 1;
        for (Py_ssize_t i = 0; i < l.n && blank; i++) blank = is_any_space(at(&l, i));
        if (!blank) {
            Py_ssize_t start = 0, i = 0, tok_s = -1, tok_e = -1;
            /* Each token is decided when the next one is known (Punkt looks one token ahead). */
            for (;;) {
                while (i < l.n && is_any_space(at(&l, i))) i++;
                Py_ssize_t next_s = i < l.n ? i : -1, next_e = next_s >= 0 ? token_end(&l, i) : -1;
                if (tok_s >= 0) {
                    Py_UCS4 last = at(&l, tok_e - 1);
                    if (last == '.' || last == '?' || last == '!') {
                        int ends = ends_sentence(abbreviations, &l, tok_s, tok_e, next_s, next_e);
                        if (ends < 0) goto fail;
                        if (ends) {
                            Py_ssize_t end = tok_e;
                            while (end < l.n && is_closer(at(&l, end))) end++;
                            if (add_sentence(spans, &l, start, end, line_start, max_chars) < 0) goto fail;
                            start = end;
                        }
                    }
                }
                if (next_s < 0) break;
                tok_s = next_s;
                tok_e = next_e;
                i = next_e;
            }
            if (add_sentence(spans, &l, start, l.n, line_start, max_chars) < 0) goto fail;
        }
        line_start = line_end + 1;
    }
    return spans;
fail:
    Py_DECREF(spans);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------------------------
 * An article's numbers (pipeline/score.py's aggregate), bit for bit what numpy computes.  numpy's pairwise sum: below 8
 * values in order; up to 128 with eight accumulators; above, halves rounded to multiples of 8.  A mean is numpy's add.reduce
 * (0.0 plus the pairwise sum) divided by the count. */
static double pairwise_sum(const double *a, Py_ssize_t n) {
    if (n < 8) {
        double res = 0.0;
        for (Py_ssize_t i = 0; i < n; i++) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; j++) r[j] = a[j];
        Py_ssize_t i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += a[i];
        return res;
    }
    Py_ssize_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

/* The k-th smallest of a[lo:hi] put at a[k], smaller ones before it and larger ones after (numpy's partition, in the
 * values it leaves at k).  Quickselect with the median of three; a range that has not shrunk enough after 40 rounds is
 * sorted instead, so that no input can make it quadratic. */
static int compare_doubles(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void select_nth(double *a, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t k) {
    for (int round = 0; hi - lo > 1; round++) {
        if (round == 40) {
            qsort(a + lo, (size_t)(hi - lo), sizeof(double), compare_doubles);
            return;
        }
        Py_ssize_t mid = lo + (hi - lo) / 2;
        double x = a[lo], y = a[mid], z = a[hi - 1];
        double pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        Py_ssize_t i = lo, j = hi - 1;
        while (i <= j) { /* Hoare's partition: a[lo:i] <= pivot, a[j+1:hi] >= pivot */
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                double t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (k <= j) hi = j + 1;
        else if (k >= i) lo = i;
        else return; /* between the two parts: equal to the pivot, and in place */
    }
}

/* stance_summary(probabilities, n_labels, osce, coop, crit, indices, positions) -> (counts, mean, order): what
 * pipeline/score.py's aggregate computes from an article's sentence probabilities (n x n_labels float64) and its OSCE
 * sentences (osce: n bytes, 0 or 1).  Over the OSCE sentences: how many have each label as their most probable (the
 * first of equal ones, as argmax), and the mean of P(coop) - P(crit); with a bootstrap plan (indices: B x n_osce int64),
 * the values at `positions` of the B resampled means sorted (a sorted tuple of positions), else order is ().
 *
 * Bit for bit what numpy computes: a mean is numpy's add.reduce (0.0 plus numpy's pairwise sum) divided by the count, and
 * the k-th smallest of the means is one value however it is found.  tests/test_native.py holds it to numpy. */
static PyObject *native_stance_summary(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer probabilities, osce;
    Py_ssize_t n_labels, coop, crit;
    PyObject *indices_object, *positions;
    if (!PyArg_ParseTuple(args, "y*ny*nnOO!", &probabilities, &n_labels, &osce, &coop, &crit, &indices_object, &PyTuple_Type,
                          &positions))
        return NULL;
    PyObject *result = NULL;
    Py_buffer indices = {0};
    double *values = NULL, *means = NULL;
    Py_ssize_t *counts = NULL;
    Py_ssize_t n = osce.len;
    const uint8_t *in_osce = osce.buf;
    if (n_labels < 1 || coop < 0 || coop >= n_labels || crit < 0 || crit >= n_labels
        || probabilities.len != n * n_labels * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "stance_summary: probabilities must be n x n_labels float64, one osce byte a sentence");
        goto done;
    }
    if (indices_object != Py_None && PyObject_GetBuffer(indices_object, &indices, PyBUF_SIMPLE) < 0) goto done;
    values = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(double));
    counts = PyMem_Calloc((size_t)n_labels, sizeof(Py_ssize_t));
    if (!values || !counts) {
        PyErr_NoMemory();
        goto done;
    }
    const double *p = probabilities.buf;
    Py_ssize_t n_osce = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!in_osce[i]) continue;
        const double *row = p + i * n_labels;
        Py_ssize_t best = 0;
        for (Py_ssize_t k = 1; k < n_labels; k++)
            if (row[k] > row[best]) best = k;
        counts[best]++;
        values[n_osce++] = row[coop] - row[crit];
    }
    double mean = n_osce ? (0.0 + pairwise_sum(values, n_osce)) / (double)n_osce : NAN;
    PyObject *order = NULL;
    if (indices.buf) {
        Py_ssize_t n_positions = PyTuple_GET_SIZE(positions);
        if (n_osce < 1 || indices.len % (n_osce * (Py_ssize_t)sizeof(int64_t))) {
            PyErr_SetString(PyExc_ValueError, "stance_summary: indices must be B x n_osce int64");
            goto done;
        }
        Py_ssize_t rows = indices.len / (n_osce * (Py_ssize_t)sizeof(int64_t));
        const int64_t *idx = indices.buf;
        double *row = PyMem_Malloc((size_t)n_osce * sizeof(double));
        if (!row || !(means = PyMem_Malloc((size_t)(rows ? rows : 1) * sizeof(double)))) {
            PyMem_Free(row);
            PyErr_NoMemory();
            goto done;
        }
        for (Py_ssize_t b = 0; b < rows; b++) {
            for (Py_ssize_t i = 0; i < n_osce; i++) {
                int64_t j = idx[b * n_osce + i];
                if (j < 0 || j >= n_osce) {
                    PyMem_Free(row);
                    PyErr_SetString(PyExc_IndexError, "stance_summary: an index out of range");
                    goto done;
                }
                row[i] = values[j];
            }
            means[b] = (0.0 + pairwise_sum(row, n_osce)) / (double)n_osce;
        }
        PyMem_Free(row);
        if (!(order = PyTuple_New(n_positions))) goto done;
        Py_ssize_t from = 0;
        for (Py_ssize_t q = 0; q < n_positions; q++) {
            Py_ssize_t k = PyLong_AsSsize_t(PyTuple_GET_ITEM(positions, q));
            if (k == -1 && PyErr_Occurred()) goto order_failed;
            if (k < from || k >= rows) {
                PyErr_SetString(PyExc_ValueError, "stance_summary: positions must be sorted and within the resamples");
                goto order_failed;
            }
            select_nth(means, from, rows, k);
            PyObject *value = PyFloat_FromDouble(means[k]);
            if (!value) goto order_failed;
            PyTuple_SET_ITEM(order, q, value);
            from = k + 1;
        }
    } else if (!(order = PyTuple_New(0))) {
        goto done;
    }
    PyObject *count_list = PyList_New(n_labels);
    for (Py_ssize_t k = 0; count_list && k < n_labels; k++) {
        PyObject *c = PyLong_FromSsize_t(counts[k]);
        if (!c) Py_CLEAR(count_list);
        else PyList_SET_ITEM(count_list, k, c);
    }
    if (count_list) result = Py_BuildValue("(NdN)", count_list, mean, order);
    else Py_DECREF(order);
    goto done;
order_failed:
    Py_DECREF(order);
done:
    PyMem_Free(values);
    PyMem_Free(means);
    PyMem_Free(counts);
    if (indices.buf) PyBuffer_Release(&indices);
    PyBuffer_Release(&probabilities);
    PyBuffer_Release(&osce);
    return result;
}

static PyMethodDef module_methods[] = {
    {"tokens", native_tokens, METH_O, "tokens(text) -> the word tokens the native core reads."},
    {"has_any", native_has_any, METH_VARARGS, "has_any(text, chars) -> whether text holds one of the characters of chars."},
    {"words", native_words, METH_VARARGS, "words(text, limit=-1) -> the first limit words of ingest's word regex."},
    {"stance_summary", native_stance_summary, METH_VARARGS,
     "stance_summary(probabilities, n_labels, osce, coop, crit, indices, positions) -> (counts, mean, order): "
     "pipeline.score.aggregate's numbers (numpy's, bit for bit)."},
    {"sentence_spans", native_sentence_spans, METH_VARARGS,
     "sentence_spans(text, abbreviations, max_chars) -> [(start, end)]: pipeline.segment's sentences."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "pipeline._native",
    .m_doc = "The native half of the inference core (see pipeline/_native.c).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__native(void) {
    if (PyType_Ready(&WordIndexType) < 0 || PyType_Ready(&PrefixScannerType) < 0 || PyType_Ready(&CueScannerType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&WordIndexType);
    if (PyModule_AddObject(m, "WordIndex", (PyObject *)&WordIndexType) < 0) {
        Py_DECREF(&WordIndexType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&PrefixScannerType);
    if (PyModule_AddObject(m, "PrefixScanner", (PyObject *)&PrefixScannerType) < 0) {
        Py_DECREF(&PrefixScannerType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&CueScannerType);
    if (PyModule_AddObject(m, "CueScanner", (PyObject *)&CueScannerType) < 0) {
        Py_DECREF(&CueScannerType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
