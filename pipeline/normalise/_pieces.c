/* The normaliser's per-message join of cached pieces, in C.
 *
 * Normaliser._resolve splits a message at whitespace, looks each piece up in its
 * cache and joins what the pieces became: the readable text, the terms of the
 * message's language and that language (by the majority of the pieces' votes). In
 * Python those steps cost ~13 of the ~19 us a warm message takes; here they cost a
 * few. resolve_pieces() does exactly what the Python code beside it does (tested on
 * the same texts), and calls back into Python for a piece not cached yet.
 *
 * A cached piece is a tuple (readable, id_votes, en_votes, terms_id, terms_en,
 * terms_other): see Piece in __init__.py. The normaliser keeps them in a PieceCache
 * (below), which the join reads from the message's own buffer; a dict of the same
 * works too, through str.split() and a look-up per piece.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

enum { READABLE, ID_VOTES, EN_VOTES, TERMS_ID, TERMS_EN, TERMS_OTHER, PIECE_FIELDS };

static PyObject *SPACE, *LANG_ID, *LANG_EN, *LANG_OTHER;

/* Room for more pieces in `found`, which starts on the caller's stack. */
static int
grow(PyObject ***found, Py_ssize_t *room)
{
    PyObject **bigger = PyMem_Malloc(sizeof(PyObject *) * (size_t)(*room * 2));
    if (bigger == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(bigger, *found, sizeof(PyObject *) * (size_t)*room);
    if (*room > 64) /* past the stack array: ours to free */
        PyMem_Free(*found);
    *found = bigger;
    *room *= 2;
    return 0;
}

/* The pieces of `text` from a dict, as str.split() and a look-up each; as below. */
static int
pieces_from_dict(PyObject *pieces, PyObject *learn, PyObject *text, PyObject ***found,
                 Py_ssize_t *n, Py_ssize_t *room)
{
    PyObject *chunks = PyUnicode_Split(text, NULL, -1);
    if (chunks == NULL)
        return -1;
    int complete = 1;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(chunks); i++) {
        PyObject *piece = PyDict_GetItemWithError(pieces, PyList_GET_ITEM(chunks, i));
        if (piece != NULL)
            Py_INCREF(piece);
        else if (!PyErr_Occurred() && learn != Py_None)
            piece = PyObject_CallOneArg(learn, PyList_GET_ITEM(chunks, i));
        if (piece == NULL) {
            complete = PyErr_Occurred() ? -1 : 0;
            break;
        }
        if (*n == *room && grow(found, room) < 0) {
            Py_DECREF(piece);
            complete = -1;
            break;
        }
        (*found)[(*n)++] = piece;
    }
    Py_DECREF(chunks);
    return complete;
}

/* (readable, terms, lang) from a message's pieces, each a tuple (readable, id_votes,
 * en_votes, terms_id, terms_en, terms_other). */
static PyObject *
join(PyObject *const *found, Py_ssize_t n)
{
    long ids = 0, ens = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyTuple_Check(found[i]) || PyTuple_GET_SIZE(found[i]) != PIECE_FIELDS) {
            PyErr_SetString(PyExc_TypeError, "a cached piece must be a 6-tuple");
            return NULL;
        }
        ids += PyLong_AsLong(PyTuple_GET_ITEM(found[i], ID_VOTES));
        ens += PyLong_AsLong(PyTuple_GET_ITEM(found[i], EN_VOTES));
    }
    if (PyErr_Occurred())
        return NULL;
    int field = ids == 0 && ens == 0 ? TERMS_OTHER : ens > ids ? TERMS_EN : TERMS_ID;
    PyObject *lang = field == TERMS_OTHER ? LANG_OTHER : field == TERMS_EN ? LANG_EN : LANG_ID;
    PyObject *readables = PyList_New(0), *terms = PyList_New(0), *text = NULL;
    if (readables == NULL || terms == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *readable = PyTuple_GET_ITEM(found[i], READABLE);
        /* " ".join(filter(None, readables)): an empty piece adds no space */
        if (PyUnicode_GET_LENGTH(readable) > 0 && PyList_Append(readables, readable) < 0)
            goto done;
        PyObject *piece_terms = PyTuple_GET_ITEM(found[i], field);
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(piece_terms); j++)
            if (PyList_Append(terms, PyTuple_GET_ITEM(piece_terms, j)) < 0)
                goto done;
    }
    text = PyUnicode_Join(SPACE, readables);
done:;
    PyObject *result = text == NULL ? NULL : PyTuple_Pack(3, text, terms, lang);
    Py_XDECREF(text);
    Py_XDECREF(readables);
    Py_XDECREF(terms);
    return result;
}

/* A cache of pieces that resolve_pieces reads without making a string of each piece of
 * the text: a hash table keyed by the piece's code points (FNV-1a), so that a piece is
 * found from the text's own buffer. str.split() and a dict look-up per piece made 27
 * strings for an average bench message and took most of the join's time. Pieces are
 * only ever added or replaced, never removed, as the normaliser's cache is. */
typedef struct {
    Py_uhash_t hash;
    PyObject *key;   /* str */
    PyObject *value; /* the piece */
} Entry;

typedef struct {
    PyObject_HEAD
    Entry *entries;
    Py_ssize_t capacity; /* a power of two, at least twice `used` */
    Py_ssize_t used;
} PieceCache;

static PyTypeObject PieceCacheType;

static Py_uhash_t
hash_points(int kind, const void *data, Py_ssize_t start, Py_ssize_t end)
{
    uint64_t h = 14695981039346656037ULL;
    for (Py_ssize_t i = start; i < end; i++) {
        h ^= (uint64_t)PyUnicode_READ(kind, data, i);
        h *= 1099511628211ULL;
    }
    return (Py_uhash_t)h;
}

/* Whether `key` holds the code points data[start:start+length]. A piece of a text with
 * wide characters may itself be ASCII, and so stored narrower than the text. */
static int
same_points(PyObject *key, int kind, const void *data, Py_ssize_t start, Py_ssize_t length)
{
    if (PyUnicode_GET_LENGTH(key) != length)
        return 0;
    int key_kind = PyUnicode_KIND(key);
    const void *key_data = PyUnicode_DATA(key);
    if (key_kind == kind)
        return memcmp(key_data, (const char *)data + start * kind, (size_t)(length * kind)) == 0;
    for (Py_ssize_t i = 0; i < length; i++)
        if (PyUnicode_READ(key_kind, key_data, i) != PyUnicode_READ(kind, data, start + i))
            return 0;
    return 1;
}

/* The entry holding those code points, or the empty one where they would go. */
static Entry *
find_entry(PieceCache *cache, Py_uhash_t hash, int kind, const void *data, Py_ssize_t start,
           Py_ssize_t length)
{
    size_t mask = (size_t)cache->capacity - 1, i = (size_t)hash & mask;
    for (;;) {
        Entry *entry = &cache->entries[i];
        if (entry->key == NULL ||
            (entry->hash == hash && same_points(entry->key, kind, data, start, length)))
            return entry;
        i = (i + 1) & mask;
    }
}

static Entry *
find_key(PieceCache *cache, PyObject *key)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(key);
    int kind = PyUnicode_KIND(key);
    const void *data = PyUnicode_DATA(key);
    return find_entry(cache, hash_points(kind, data, 0, length), kind, data, 0, length);
}

static int
allocate(PieceCache *cache, Py_ssize_t capacity)
{
    Entry *old = cache->entries;
    Py_ssize_t old_capacity = cache->capacity;
    cache->entries = PyMem_Calloc((size_t)capacity, sizeof(Entry));
    if (cache->entries == NULL) {
        cache->entries = old;
        PyErr_NoMemory();
        return -1;
    }
    cache->capacity = capacity;
    for (Py_ssize_t i = 0; i < old_capacity; i++) {
        if (old[i].key == NULL)
            continue;
        size_t mask = (size_t)capacity - 1, j = (size_t)old[i].hash & mask;
        while (cache->entries[j].key != NULL)
            j = (j + 1) & mask;
        cache->entries[j] = old[i];
    }
    PyMem_Free(old);
    return 0;
}

static PyObject *
cache_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    if (PyTuple_GET_SIZE(args) != 0 || (kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0)) {
        PyErr_SetString(PyExc_TypeError, "PieceCache() takes no arguments");
        return NULL;
    }
    PieceCache *cache = (PieceCache *)type->tp_alloc(type, 0);
    if (cache != NULL && allocate(cache, 1024) < 0) {
        Py_DECREF(cache);
        return NULL;
    }
    return (PyObject *)cache;
}

static void
cache_drop_all(PieceCache *cache)
{
    for (Py_ssize_t i = 0; i < cache->capacity; i++) {
        Py_CLEAR(cache->entries[i].key);
        Py_CLEAR(cache->entries[i].value);
    }
    cache->used = 0;
}

static void
cache_dealloc(PieceCache *cache)
{
    if (cache->entries != NULL)
        cache_drop_all(cache);
    PyMem_Free(cache->entries);
    Py_TYPE(cache)->tp_free((PyObject *)cache);
}

static int
check_key(PyObject *key)
{
    if (PyUnicode_Check(key))
        return 0;
    PyErr_Format(PyExc_TypeError, "a piece is a str, not %.100s", Py_TYPE(key)->tp_name);
    return -1;
}

static Py_ssize_t
cache_length(PieceCache *cache)
{
    return cache->used;
}

static PyObject *
cache_subscript(PieceCache *cache, PyObject *key)
{
    if (check_key(key) < 0)
        return NULL;
    Entry *entry = find_key(cache, key);
    if (entry->key == NULL) {
        PyErr_SetObject(PyExc_KeyError, key);
        return NULL;
    }
    return Py_NewRef(entry->value);
}

static int
cache_assign(PieceCache *cache, PyObject *key, PyObject *value)
{
    if (value == NULL) {
        PyErr_SetString(PyExc_TypeError, "pieces are never removed from a PieceCache");
        return -1;
    }
    if (check_key(key) < 0)
        return -1;
    Entry *entry = find_key(cache, key);
    if (entry->key != NULL) {
        Py_SETREF(entry->value, Py_NewRef(value));
        return 0;
    }
    if ((cache->used + 1) * 2 > cache->capacity) {
        if (allocate(cache, cache->capacity * 2) < 0)
            return -1;
        entry = find_key(cache, key);
    }
    Py_ssize_t length = PyUnicode_GET_LENGTH(key);
    entry->hash = hash_points(PyUnicode_KIND(key), PyUnicode_DATA(key), 0, length);
    entry->key = Py_NewRef(key);
    entry->value = Py_NewRef(value);
    cache->used++;
    return 0;
}

static int
cache_contains(PieceCache *cache, PyObject *key)
{
    if (check_key(key) < 0)
        return -1;
    return find_key(cache, key)->key != NULL;
}

static PyObject *
cache_get(PieceCache *cache, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "get(piece, default=None)");
        return NULL;
    }
    if (check_key(args[0]) < 0)
        return NULL;
    Entry *entry = find_key(cache, args[0]);
    if (entry->key != NULL)
        return Py_NewRef(entry->value);
    return Py_NewRef(nargs == 2 ? args[1] : Py_None);
}

static PyObject *
cache_clear(PieceCache *cache, PyObject *Py_UNUSED(ignored))
{
    cache_drop_all(cache);
    Py_RETURN_NONE;
}

static PyMethodDef cache_methods[] = {
    {"get", (PyCFunction)(void (*)(void))cache_get, METH_FASTCALL,
     "get(piece, default=None): the cached piece, or default."},
    {"clear", (PyCFunction)cache_clear, METH_NOARGS, "Forget every piece."},
    {NULL, NULL, 0, NULL},
};

static PyMappingMethods cache_mapping = {
    .mp_length = (lenfunc)cache_length,
    .mp_subscript = (binaryfunc)cache_subscript,
    .mp_ass_subscript = (objobjargproc)cache_assign,
};

static PySequenceMethods cache_sequence = {
    .sq_contains = (objobjproc)cache_contains,
};

static PyTypeObject PieceCacheType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pipeline.normalise._pieces.PieceCache",
    .tp_basicsize = sizeof(PieceCache),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The normaliser's cache of pieces: a str -> piece mapping that "
              "resolve_pieces reads straight from a message's text.",
    .tp_new = cache_new,
    .tp_dealloc = (destructor)cache_dealloc,
    .tp_methods = cache_methods,
    .tp_as_mapping = &cache_mapping,
    .tp_as_sequence = &cache_sequence,
};

/* The pieces of `text` (owned references, in order) from a PieceCache, found from the
 * text's buffer; 0 when one is not cached yet, -1 on error. */
static int
pieces_from_cache(PieceCache *cache, PyObject *learn, PyObject *text, PyObject ***found,
                  Py_ssize_t *n, Py_ssize_t *room)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text), i = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    while (i < length) {
        while (i < length && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
            i++;
        if (i == length)
            break;
        Py_ssize_t end = i;
        while (end < length && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, end)))
            end++;
        Entry *entry =
            find_entry(cache, hash_points(kind, data, i, end), kind, data, i, end - i);
        PyObject *piece;
        if (entry->key != NULL)
            piece = Py_NewRef(entry->value);
        else if (learn == Py_None)
            return 0;
        else {
            /* learn() may add to the cache and so move its entries: `entry` is not
             * read again, and the text it was found from is ours till the end */
            PyObject *chunk = PyUnicode_Substring(text, i, end);
            if (chunk == NULL)
                return -1;
            piece = PyObject_CallOneArg(learn, chunk);
            Py_DECREF(chunk);
            if (piece == NULL)
                return -1;
        }
        if (*n == *room && grow(found, room) < 0) {
            Py_DECREF(piece);
            return -1;
        }
        (*found)[(*n)++] = piece;
        i = end;
    }
    return 1;
}
/* resolve_pieces(text, pieces, learn=None) -> (readable, terms, lang) | None
 * `pieces` is a PieceCache, or any dict of the same (the reference the C join is
 * tested against, and a fallback). A piece not in `pieces` is learn(piece), which is
 * expected to cache it; with no `learn`, the answer is None. */
static PyObject *
resolve_pieces(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    int is_cache = nargs >= 2 && Py_IS_TYPE(args[1], &PieceCacheType);
    PyObject *learn = nargs == 3 ? args[2] : Py_None;
    if (nargs < 2 || nargs > 3 || !PyUnicode_Check(args[0]) ||
        !(is_cache || PyDict_Check(args[1])) || !(learn == Py_None || PyCallable_Check(learn))) {
        PyErr_SetString(PyExc_TypeError,
                        "resolve_pieces(text: str, pieces: PieceCache | dict, learn=None)");
        return NULL;
    }
    PyObject *stack[64], **found = stack, *result = NULL;
    Py_ssize_t n = 0, room = 64;
    int complete =
        is_cache ? pieces_from_cache((PieceCache *)args[1], learn, args[0], &found, &n, &room)
                 : pieces_from_dict(args[1], learn, args[0], &found, &n, &room);
    if (complete == 1)
        result = join(found, n);
    else if (complete == 0)
        result = Py_NewRef(Py_None); /* a piece not learned yet */
    for (Py_ssize_t i = 0; i < n; i++)
        Py_DECREF(found[i]);
    if (found != stack)
        PyMem_Free(found);
    return result;
}

static PyMethodDef methods[] = {
    {"resolve_pieces", (PyCFunction)(void (*)(void))resolve_pieces, METH_FASTCALL,
     "resolve_pieces(text, pieces, learn=None) -> (readable, terms, lang). A piece of "
     "text not in pieces (a PieceCache or a dict) yet is learn(piece); with no learn, "
     "the answer is then None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_pieces",
    .m_doc = "The normaliser's per-message join of cached pieces.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__pieces(void)
{
    SPACE = PyUnicode_InternFromString(" ");
    LANG_ID = PyUnicode_InternFromString("id");
    LANG_EN = PyUnicode_InternFromString("en");
    LANG_OTHER = PyUnicode_InternFromString("other");
    if (SPACE == NULL || LANG_ID == NULL || LANG_EN == NULL || LANG_OTHER == NULL)
        return NULL;
    if (PyType_Ready(&PieceCacheType) < 0)
        return NULL;
    PyObject *created = PyModule_Create(&module);
    if (created != NULL && PyModule_AddObjectRef(created, "PieceCache", (PyObject *)&PieceCacheType) < 0)
        Py_CLEAR(created);
    return created;
}
