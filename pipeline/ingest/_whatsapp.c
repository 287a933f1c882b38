/* WhatsApp exports read in C: the header scan of parse_whatsapp() and, for the common
 * message, the work of split_author(), classify() and Recorder.record() too.
 *
 * In Python a message costs ~7 us: a regex match object, a dozen small calls, a
 * dataclass, a SHA-1 through hashlib. Here the common message (an ASCII name, a text
 * that is not a placeholder, no phone number or e-mail) costs about one, and every
 * other message is handed to the Python code as it is (`record_other`), so that the
 * rules live in one place. The header grammar below is HEADER_LINES of whatsapp.py
 * written out by hand; the tests compare both on rendered and arbitrary exports.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* ---- SHA-1 (FIPS 180-4): message ids equal to hashlib.sha1's, without a call ---- */

typedef struct {
    uint32_t h[5];
    uint64_t length;
    unsigned char block[64];
    size_t used;
} Sha1;

static uint32_t
rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

/* One 64-byte block. The four kinds of round in four loops, without a branch in them,
 * and the message schedule kept in a ring of 16 words: about 3x the speed of the
 * textbook loop. */
#define SHA1_W(i) (w[(i) & 15] = rol(w[((i) + 13) & 15] ^ w[((i) + 8) & 15] ^ \
                                     w[((i) + 2) & 15] ^ w[(i) & 15], 1))
#define SHA1_ROUND(f, k, wi)                              \
    do {                                                  \
        uint32_t t_ = rol(a, 5) + (f) + e + (k) + (wi);   \
        e = d;                                            \
        d = c;                                            \
        c = rol(b, 30);                                   \
        b = a;                                            \
        a = t_;                                           \
    } while (0)

static void
sha1_block(Sha1 *s, const unsigned char *p)
{
    uint32_t w[16];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
    int i = 0;
    for (; i < 16; i++)
        SHA1_ROUND(d ^ (b & (c ^ d)), 0x5A827999, w[i]);
    for (; i < 20; i++)
        SHA1_ROUND(d ^ (b & (c ^ d)), 0x5A827999, SHA1_W(i));
    for (; i < 40; i++)
        SHA1_ROUND(b ^ c ^ d, 0x6ED9EBA1, SHA1_W(i));
    for (; i < 60; i++)
        SHA1_ROUND((b & c) | (d & (b | c)), 0x8F1BBCDC, SHA1_W(i));
    for (; i < 80; i++)
        SHA1_ROUND(b ^ c ^ d, 0xCA62C1D6, SHA1_W(i));
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
}

/* The same block with the SHA extensions of x86-64 processors (SHA-NI), where the
 * processor has them: four rounds an instruction, ~4x the speed of the C above. The
 * state sits in two registers, A..D in one (A in the top lane) and E in another, and
 * the message schedule in four, W[g] holding the words of rounds 4g..4g+3. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHA_NI_CODE 1

__attribute__((target("sha,sse4.1"))) static void
sha1_block_ni(Sha1 *s, const unsigned char *p)
{
    const __m128i reverse = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)s->h), 0x1B);
    __m128i e0 = _mm_set_epi32((int)s->h[4], 0, 0, 0);
    const __m128i abcd_start = abcd, e_start = e0;
    __m128i w[4];
    for (int g = 0; g < 4; g++)
        w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), reverse);
    __m128i e = _mm_add_epi32(e0, w[0]), before;
    /* Groups of four rounds; the next E comes from A before them (sha1nexte), and
     * W[g + 4] from W[g..g+3] (sha1msg1, xor, sha1msg2) into the slot W[g] leaves. */
#define SHA1_GROUP(g, f)                                                              \
    do {                                                                              \
        if ((g) > 0)                                                                  \
            e = _mm_sha1nexte_epu32(before, w[(g) & 3]);                              \
        before = abcd;                                                                \
        abcd = _mm_sha1rnds4_epu32(abcd, e, f);                                       \
        if ((g) + 4 < 20)                                                             \
            w[(g) & 3] = _mm_sha1msg2_epu32(                                          \
                _mm_xor_si128(_mm_sha1msg1_epu32(w[(g) & 3], w[((g) + 1) & 3]),       \
                              w[((g) + 2) & 3]),                                      \
                w[((g) + 3) & 3]);                                                    \
    } while (0)
    before = abcd;
    for (int g = 0; g < 5; g++)
        SHA1_GROUP(g, 0);
    for (int g = 5; g < 10; g++)
        SHA1_GROUP(g, 1);
    for (int g = 10; g < 15; g++)
        SHA1_GROUP(g, 2);
    for (int g = 15; g < 20; g++)
        SHA1_GROUP(g, 3);
#undef SHA1_GROUP
    e0 = _mm_sha1nexte_epu32(before, e_start);
    abcd = _mm_add_epi32(abcd, abcd_start);
    _mm_storeu_si128((__m128i *)s->h, _mm_shuffle_epi32(abcd, 0x1B));
    s->h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

static int
cpu_has_sha_ni(void)
{
    unsigned int a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 29))) /* SHA */
        return 0;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 19)) && (c & (1u << 9)); /* SSE4.1, SSSE3 */
}
#endif

static void (*sha1_compress)(Sha1 *, const unsigned char *) = sha1_block;

static void
sha1_init(Sha1 *s)
{
    static const uint32_t start[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476,
                                      0xC3D2E1F0};
    memcpy(s->h, start, sizeof start);
    s->length = 0;
    s->used = 0;
}

static void
sha1_update(Sha1 *s, const void *data, size_t n)
{
    const unsigned char *p = data;
    s->length += n;
    while (n > 0) {
        size_t take = 64 - s->used;
        if (take > n)
            take = n;
        memcpy(s->block + s->used, p, take);
        s->used += take;
        p += take;
        n -= take;
        if (s->used == 64) {
            sha1_compress(s, s->block);
            s->used = 0;
        }
    }
}

static void
sha1_final(Sha1 *s, unsigned char out[20])
{
    uint64_t bits = s->length * 8;
    s->block[s->used++] = 0x80;
    if (s->used > 56) {
        memset(s->block + s->used, 0, 64 - s->used);
        sha1_compress(s, s->block);
        s->used = 0;
    }
    memset(s->block + s->used, 0, 56 - s->used);
    for (int i = 0; i < 8; i++)
        s->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    sha1_compress(s, s->block);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (unsigned char)(s->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)s->h[i];
    }
}

/* Feed a str's UTF-8 to the hash; ASCII strings are their own UTF-8. */
static int
sha1_update_str(Sha1 *s, PyObject *str)
{
    if (PyUnicode_IS_ASCII(str)) {
        sha1_update(s, PyUnicode_DATA(str), (size_t)PyUnicode_GET_LENGTH(str));
        return 0;
    }
    PyObject *bytes = PyUnicode_AsUTF8String(str);
    if (bytes == NULL)
        return -1;
    sha1_update(s, PyBytes_AS_STRING(bytes), (size_t)PyBytes_GET_SIZE(bytes));
    Py_DECREF(bytes);
    return 0;
}

/* The first 8 bytes of the SHA-1 of message_id() in pipeline/ingest/recorder.py:
 * "\x1f".join((chat, timestamp, author, text, str(occurrence))) in UTF-8. */
static int
id_digest(PyObject *chat, PyObject *stamp, PyObject *author, PyObject *text, long occurrence,
          unsigned char out[8])
{
    Sha1 s;
    sha1_init(&s);
    PyObject *parts[4] = {chat, stamp, author, text};
    for (int i = 0; i < 4; i++) {
        if (sha1_update_str(&s, parts[i]) < 0)
            return -1;
        sha1_update(&s, "\x1f", 1);
    }
    char number[24];
    int n = snprintf(number, sizeof number, "%ld", occurrence);
    sha1_update(&s, number, (size_t)n);
    unsigned char digest[20];
    sha1_final(&s, digest);
    memcpy(out, digest, 8);
    return 0;
}

/* The id: those 8 bytes in 16 hex digits. */
static PyObject *
hex_id(const unsigned char digest[8])
{
    static const char hex[] = "0123456789abcdef";
    PyObject *id = PyUnicode_New(16, 127);
    if (id == NULL)
        return NULL;
    char *out = PyUnicode_DATA(id);
    for (int i = 0; i < 8; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    return id;
}

static PyObject *
make_id(PyObject *chat, PyObject *stamp, PyObject *author, PyObject *text, long occurrence)
{
    unsigned char digest[8];
    if (id_digest(chat, stamp, author, text, occurrence, digest) < 0)
        return NULL;
    return hex_id(digest);
}

/* ---- how often each message was seen in the export, as Recorder.seen ---- */

/* Keyed by the first 64 bits of a message's id for occurrence 0, as Recorder.seen is
 * by that id in hex: open addressing over plain integers, where a dict of id strings
 * cost a sixth of the scan in cache misses. */
typedef struct {
    uint64_t key; /* 0: free (the key 0 itself is counted in Occurrences.zero) */
    uint64_t count;
} Slot;

typedef struct {
    Slot *slots; /* a key beside its count: one cache miss a message, not two */
    size_t size, used;
    long zero;
} Occurrences;

static int
occurrences_grow(Occurrences *o)
{
    size_t size = o->size ? o->size * 2 : 1 << 16;
    Slot *slots = PyMem_Calloc(size, sizeof *slots);
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t k = 0; k < o->size; k++) {
        if (o->slots[k].key == 0)
            continue;
        size_t i = (size_t)o->slots[k].key & (size - 1);
        while (slots[i].key != 0)
            i = (i + 1) & (size - 1);
        slots[i] = o->slots[k];
    }
    PyMem_Free(o->slots);
    o->slots = slots;
    o->size = size;
    return 0;
}

/* How often `key` was seen before; counts this time. -1 when out of memory. */
static long
occurrences_next(Occurrences *o, uint64_t key)
{
    if (key == 0)
        return o->zero++;
    if (2 * (o->used + 1) > o->size && occurrences_grow(o) < 0)
        return -1;
    size_t i = (size_t)key & (o->size - 1); /* SHA-1 bits: already uniform */
    while (o->slots[i].key != 0 && o->slots[i].key != key)
        i = (i + 1) & (o->size - 1);
    if (o->slots[i].key == 0) {
        o->slots[i].key = key;
        o->used++;
    }
    return (long)o->slots[i].count++;
}

static PyObject *
message_id(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyUnicode_Check(args[0]) || !PyUnicode_Check(args[1]) ||
        !PyUnicode_Check(args[2]) || !PyUnicode_Check(args[3]) || !PyLong_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "message_id(chat: str, timestamp: str, author: str, text: str, "
                        "occurrence: int)");
        return NULL;
    }
    long occurrence = PyLong_AsLong(args[4]);
    if (occurrence == -1 && PyErr_Occurred())
        return NULL;
    return make_id(args[0], args[1], args[2], args[3], occurrence);
}

static PyObject *KIND; /* "message" */

/* ---- the header grammar of whatsapp.py, on one line of the text ---- */

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t length;
} Text;

#define AT(t, i) PyUnicode_READ((t)->kind, (t)->data, (i))

typedef struct {
    Py_ssize_t date0, date1;   /* the date */
    Py_ssize_t time0, time1;   /* the clock reading */
    Py_ssize_t ampm0, ampm1;   /* AM/PM as written, or ampm0 == ampm1 */
    Py_ssize_t rest;           /* what follows the header on its line */
} Header;

/* Whether c is one of the ASCII characters of `set` (strchr alone would also take a
 * code point whose low byte is one of them). */
static int
ascii_in(Py_UCS4 c, const char *set)
{
    return c > 0 && c < 128 && strchr(set, (int)c) != NULL;
}

static int
is_space(Py_UCS4 c) /* [ \u00a0\u202f] */
{
    return c == ' ' || c == 0xa0 || c == 0x202f;
}

/* How many decimal digits (\d: any Unicode decimal) start at i, at most `most`. */
static Py_ssize_t
digits(const Text *t, Py_ssize_t i, Py_ssize_t end, Py_ssize_t most)
{
    Py_ssize_t n = 0;
    Py_UCS4 c;
    while (n < most && i + n < end &&
           ((c = AT(t, i + n)) < 128 ? c >= '0' && c <= '9' : Py_UNICODE_ISDECIMAL(c)))
        n++;
    return n;
}

/* \d{1,4}[./-]\d{1,2}[./-]\d{1,4}: the end of the date at i, or -1. Greedy digit runs
 * never need the regex's backtracking: a shorter run leaves a digit where a separator
 * or what follows must be. */
static Py_ssize_t
match_date(const Text *t, Py_ssize_t i, Py_ssize_t end)
{
    static const Py_ssize_t most[3] = {4, 2, 4};
    for (int field = 0; field < 3; field++) {
        Py_ssize_t n = digits(t, i, end, most[field]);
        if (n == 0)
            return -1;
        i += n;
        if (field < 2) {
            if (i >= end)
                return -1;
            Py_UCS4 c = AT(t, i);
            if (c != '.' && c != '/' && c != '-')
                return -1;
            i++;
        }
    }
    return i;
}

/* \d{1,2}[:.]\d{2}(?:[:.]\d{2})? */
static Py_ssize_t
match_time(const Text *t, Py_ssize_t i, Py_ssize_t end)
{
    Py_ssize_t n = digits(t, i, end, 2);
    if (n == 0 || i + n >= end)
        return -1;
    i += n;
    Py_UCS4 c = AT(t, i);
    if ((c != ':' && c != '.') || digits(t, i + 1, end, 2) != 2)
        return -1;
    i += 3;
    if (i < end && ((c = AT(t, i)) == ':' || c == '.') && digits(t, i + 1, end, 2) == 2)
        i += 3;
    return i;
}

/* (?:SP?([AaPp]\.?SP?[Mm]\.?))? at i: fills ampm0/ampm1 and returns where it ends (i
 * itself when there is none). */
static Py_ssize_t
match_ampm(const Text *t, Py_ssize_t i, Py_ssize_t end, Header *h)
{
    Py_ssize_t j = i;
    h->ampm0 = h->ampm1 = i;
    if (j < end && is_space(AT(t, j)))
        j++;
    if (j >= end || !ascii_in(AT(t, j), "AaPp"))
        return i;
    Py_ssize_t start = j++;
    if (j < end && AT(t, j) == '.')
        j++;
    if (j < end && is_space(AT(t, j)))
        j++;
    if (j >= end || !ascii_in(AT(t, j), "Mm"))
        return i;
    j++;
    if (j < end && AT(t, j) == '.')
        j++;
    h->ampm0 = start;
    h->ampm1 = j;
    return j;
}

/* One line [i, end) against the android or iOS header: 1 and the parts, or 0. */
static int
match_header(const Text *t, Py_ssize_t i, Py_ssize_t end, int ios, Header *h)
{
    Py_UCS4 c;
    while (i < end && ((c = AT(t, i)) == 0x200e || c == 0x200f || c == 0xfeff))
        i++;
    if (ios) {
        if (i >= end || AT(t, i) != '[')
            return 0;
        i++;
    }
    h->date0 = i;
    if ((i = match_date(t, i, end)) < 0)
        return 0;
    h->date1 = i;
    if (i < end && AT(t, i) == ',')
        i++;
    if (i >= end || !is_space(AT(t, i)))
        return 0;
    h->time0 = ++i;
    if ((i = match_time(t, i, end)) < 0)
        return 0;
    h->time1 = i;
    i = match_ampm(t, i, end, h);
    if (ios) {
        if (i >= end || AT(t, i) != ']')
            return 0;
        i++;
    }
    else {
        if (i < end && is_space(AT(t, i)))
            i++;
        if (i >= end || ((c = AT(t, i)) != '-' && c != 0x2013))
            return 0;
        i++;
    }
    if (i >= end || !is_space(AT(t, i)))
        return 0;
    h->rest = i + 1;
    return 1;
}

static Py_ssize_t
line_end(const Text *t, Py_ssize_t i)
{
    if (t->kind == PyUnicode_1BYTE_KIND) {
        const char *found = memchr((const char *)t->data + i, '\n', (size_t)(t->length - i));
        return found ? found - (const char *)t->data : t->length;
    }
    /* An export with one emoji beyond U+FFFF is all 4-byte characters: wchar_t's here */
    if (t->kind == PyUnicode_4BYTE_KIND && sizeof(wchar_t) == 4) {
        const wchar_t *data = (const wchar_t *)t->data;
        const wchar_t *found = wmemchr(data + i, L'\n', (size_t)(t->length - i));
        return found ? found - data : t->length;
    }
    while (i < t->length && AT(t, i) != '\n')
        i++;
    return i;
}

static int
read_text(PyObject *text, Text *t)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "the export's text must be a str");
        return -1;
    }
    t->kind = PyUnicode_KIND(text);
    t->data = PyUnicode_DATA(text);
    t->length = PyUnicode_GET_LENGTH(text);
    return 0;
}

/* header_dates(text, ios) -> [date, ...]: the date of every header-like line, a run of
 * equal dates once (what infer_date_order reads). */
static PyObject *
header_dates(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    Text t;
    if (nargs != 2 || read_text(args[0], &t) < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "header_dates(text: str, ios: bool)");
        return NULL;
    }
    int ios = PyObject_IsTrue(args[1]);
    if (ios < 0)
        return NULL;
    PyObject *dates = PyList_New(0);
    if (dates == NULL)
        return NULL;
    PyObject *last = NULL; /* borrowed from the list */
    for (Py_ssize_t i = 0; i < t.length;) {
        Py_ssize_t end = line_end(&t, i);
        Header h;
        if (match_header(&t, i, end, ios, &h)) {
            PyObject *date = PyUnicode_Substring(args[0], h.date0, h.date1);
            if (date == NULL)
                goto fail;
            int same = last != NULL && PyUnicode_Compare(date, last) == 0;
            if (!same && PyList_Append(dates, date) < 0) {
                Py_DECREF(date);
                goto fail;
            }
            Py_DECREF(date);
            if (!same)
                last = PyList_GET_ITEM(dates, PyList_GET_SIZE(dates) - 1);
        }
        i = end + 1;
    }
    return dates;
fail:
    Py_DECREF(dates);
    return NULL;
}

/* ---- scan_whatsapp: the messages of an export, recorded ---- */

typedef struct {
    PyObject *text;                                   /* the export */
    Text t;
    PyObject *iso_date, *iso_clock, *record_other;    /* Python: the rules */
    PyObject *chat, *platform, *source, *records;     /* the recorder's */
    PyObject *author, *mask, *message;
    Py_ssize_t slots[10]; /* where a Message keeps each field, or slots[0] == 0 */
    PyObject *names;                                  /* a name as written -> recorded */
    Occurrences seen;
    PyObject *dates, *clocks;                         /* caches: raw -> ISO or None */
    PyObject *last_stamp;                             /* and the last stamp made, of */
    Py_ssize_t date0, date1, clock0, clock1;          /* these spans of the text */
    Py_ssize_t lines_in_records;
} Scan;

/* cache[key] or, the first time, make(*args) stored there: a new reference. */
static PyObject *
cached(PyObject *cache, PyObject *key, PyObject *make, PyObject *const *args, size_t n)
{
    PyObject *value = PyDict_GetItemWithError(cache, key);
    if (value != NULL) {
        Py_INCREF(value);
        return value;
    }
    if (PyErr_Occurred())
        return NULL;
    value = PyObject_Vectorcall(make, args, n, NULL);
    if (value != NULL && PyDict_SetItem(cache, key, value) < 0)
        Py_CLEAR(value);
    return value;
}

/* Whether text[a0:a1] == text[b0:b1]. */
static int
same_span(const Text *t, Py_ssize_t a0, Py_ssize_t a1, Py_ssize_t b0, Py_ssize_t b1)
{
    if (a1 - a0 != b1 - b0)
        return 0;
    for (Py_ssize_t k = 0; k < a1 - a0; k++)
        if (AT(t, a0 + k) != AT(t, b0 + k))
            return 0;
    return 1;
}

/* The header's ISO timestamp, or None when its date or time is impossible (then the
 * line is a continuation line that happens to look like a header). Consecutive
 * messages mostly share their date and often their minute: those are reused as they
 * are, the others looked up in the caches of the scan. */
static PyObject *
stamp_of(Scan *s, const Header *h)
{
    const Text *t = &s->t;
    Py_ssize_t clock_end = h->ampm1 > h->ampm0 ? h->ampm1 : h->time1;
    if (s->last_stamp != NULL && same_span(t, h->date0, h->date1, s->date0, s->date1) &&
        same_span(t, h->time0, clock_end, s->clock0, s->clock1)) {
        Py_INCREF(s->last_stamp);
        return s->last_stamp;
    }
    PyObject *date_key = PyUnicode_Substring(s->text, h->date0, h->date1);
    if (date_key == NULL)
        return NULL;
    PyObject *date = cached(s->dates, date_key, s->iso_date, &date_key, 1);
    Py_DECREF(date_key);
    if (date == NULL || date == Py_None)
        return date;
    PyObject *clock_key = PyUnicode_Substring(s->text, h->time0, clock_end);
    PyObject *clock = clock_key == NULL ? NULL : PyDict_GetItemWithError(s->clocks, clock_key);
    Py_XINCREF(clock);
    if (clock == NULL && clock_key != NULL && !PyErr_Occurred()) {
        PyObject *parts[2] = {PyUnicode_Substring(s->text, h->time0, h->time1),
                              PyUnicode_Substring(s->text, h->ampm0, h->ampm1)};
        if (parts[0] != NULL && parts[1] != NULL)
            clock = cached(s->clocks, clock_key, s->iso_clock, parts, 2);
        Py_XDECREF(parts[0]);
        Py_XDECREF(parts[1]);
    }
    Py_XDECREF(clock_key);
    PyObject *stamp = NULL;
    if (clock == Py_None) {
        stamp = clock;
        clock = NULL;
    }
    else if (clock != NULL) {
        /* f"{date}T{clock}": both ASCII */
        Py_ssize_t a = PyUnicode_GET_LENGTH(date), b = PyUnicode_GET_LENGTH(clock);
        stamp = PyUnicode_New(a + 1 + b, 127);
        if (stamp != NULL) {
            char *out = PyUnicode_DATA(stamp);
            memcpy(out, PyUnicode_DATA(date), (size_t)a);
            out[a] = 'T';
            memcpy(out + a + 1, PyUnicode_DATA(clock), (size_t)b);
            Py_XSETREF(s->last_stamp, Py_NewRef(stamp));
            s->date0 = h->date0;
            s->date1 = h->date1;
            s->clock0 = h->time0;
            s->clock1 = clock_end;
        }
    }
    Py_XDECREF(clock);
    Py_DECREF(date);
    return stamp;
}

/* INVISIBLE_MARKS of patterns.py: what clean_author() and classify() take away. */
static int
is_mark(Py_UCS4 c)
{
    return (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

/* A character that str.strip() and the marks' strip leave where it is. */
static int
is_solid(Py_UCS4 c)
{
    return c > 0x20 && !Py_UNICODE_ISSPACE(c) && !is_mark(c);
}

static int
equals(const Text *t, Py_ssize_t start, Py_ssize_t end, const char *literal)
{
    if (end - start != (Py_ssize_t)strlen(literal))
        return 0;
    for (Py_ssize_t k = start; k < end; k++)
        if (AT(t, k) != (Py_UCS4)(unsigned char)literal[k - start])
            return 0;
    return 1;
}

static int
starts_with_folded(const Text *t, Py_ssize_t start, Py_ssize_t end, const char *prefix)
{
    Py_ssize_t n = (Py_ssize_t)strlen(prefix);
    if (end - start < n)
        return 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_UCS4 c = AT(t, start + k);
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (c != (Py_UCS4)(unsigned char)prefix[k])
            return 0;
    }
    return 1;
}

static int
ends_with(const Text *t, Py_ssize_t start, Py_ssize_t end, const char *suffix)
{
    Py_ssize_t n = (Py_ssize_t)strlen(suffix);
    return end - start >= n && equals(t, end - n, end, suffix);
}

/* The placeholders of Android exports, whole, and their kinds: the common ones that
 * classify() would find with MEDIA_RE and DELETED_RE. */
static const char *PLACEHOLDERS[][2] = {
    {"<Media omitted>", "media"},
    {"<Media tidak disertakan>", "media"},
    {"This message was deleted", "deleted"},
    {"You deleted this message", "deleted"},
    {"Pesan ini telah dihapus", "deleted"},
    {"Anda menghapus pesan ini", "deleted"},
};
#define N_PLACEHOLDERS (sizeof PLACEHOLDERS / sizeof *PLACEHOLDERS)
static PyObject *KINDS[N_PLACEHOLDERS];

/* Where ": " splits a common message's rest into an author and a text, or -1 when the
 * message needs the Python rules: a name that clean_author() would change or that may
 * be a group event (not 1-25 characters, a quote or a control character or mark in it,
 * space or `~` at its ends), a text that classify() would strip or that may be a
 * placeholder, a deletion or edited. `*kind` is the message's kind. */
static Py_ssize_t
common_split(const Text *t, Py_ssize_t rest, Py_ssize_t first_end, Py_ssize_t body_end,
             PyObject **kind)
{
    Py_ssize_t sep = -1;
    for (Py_ssize_t i = rest; i + 1 < first_end && i - rest <= 25; i++) {
        Py_UCS4 c = AT(t, i);
        if (c == ':' && AT(t, i + 1) == ' ') {
            sep = i;
            break;
        }
        if (c < 0x20 || c == '"' || is_mark(c))
            return -1;
    }
    if (sep <= rest || !is_solid(AT(t, rest)) || AT(t, rest) == '~' ||
        !is_solid(AT(t, sep - 1)))
        return -1;
    Py_ssize_t text = sep + 2;
    if (body_end <= text || !is_solid(AT(t, text)) || !is_solid(AT(t, body_end - 1)))
        return -1;
    *kind = KIND;
    for (size_t k = 0; k < N_PLACEHOLDERS; k++)
        if (equals(t, text, body_end, PLACEHOLDERS[k][0])) {
            *kind = KINDS[k];
            return sep;
        }
    Py_UCS4 last = AT(t, body_end - 1);
    if (last == '>' || last == ')' || ends_with(t, text, body_end, "omitted") ||
        ends_with(t, text, body_end, "disertakan"))
        return -1;
    if (body_end - text < 40 &&
        (starts_with_folded(t, text, body_end, "this message was deleted") ||
         starts_with_folded(t, text, body_end, "you deleted this message") ||
         starts_with_folded(t, text, body_end, "pesan ini telah dihapus") ||
         starts_with_folded(t, text, body_end, "anda menghapus pesan ini")))
        return -1;
    return sep;
}

/* Whether privacy could change the text: an '@' or nine digits (a phone number has
 * at least nine, and str.isdigit counts every digit \d can match). */
static int
may_hold_contact(PyObject *str)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(str), found = 0;
    if (PyUnicode_IS_ASCII(str)) { /* most texts: a plain loop over bytes */
        const unsigned char *data = PyUnicode_DATA(str);
        for (Py_ssize_t i = 0; i < n; i++) {
            found += (unsigned)(data[i] - '0') < 10u;
            if (data[i] == '@')
                return 1;
        }
        return found >= 9;
    }
    int kind = PyUnicode_KIND(str);
    const void *data = PyUnicode_DATA(str);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c == '@')
            return 1;
        found += c < 128 ? c - '0' < 10u : Py_UNICODE_ISDIGIT(c);
    }
    return found >= 9;
}

/* The fields of a Message in the order of its __init__ (records.py). */
static const char *MESSAGE_FIELDS[10] = {"id",        "chat",   "platform", "source",
                                         "line",      "timestamp", "author", "kind",
                                         "text",      "edited"};

/* Where each field of the record class lives, when it is a dataclass with slots whose
 * __init__ only stores its arguments (no __post_init__): then a record is made by
 * storing them directly, 0.3 us a message less than a call of that __init__ from here.
 * Otherwise slots[0] stays 0 and records are made by calling the class. */
static void
find_slots(Scan *s)
{
    s->slots[0] = 0;
    PyObject *names = PyObject_GetAttrString(s->message, "__match_args__");
    if (names == NULL || !PyType_Check(s->message) ||
        PyObject_HasAttrString(s->message, "__post_init__")) {
        Py_XDECREF(names);
        PyErr_Clear();
        return;
    }
    int usable = PyTuple_Check(names) && PyTuple_GET_SIZE(names) == 10;
    for (int k = 0; usable && k < 10; k++) {
        PyObject *name = PyTuple_GET_ITEM(names, k);
        PyObject *member = PyObject_GetAttr(s->message, name);
        usable = member != NULL && PyUnicode_Check(name) &&
                 PyUnicode_CompareWithASCIIString(name, MESSAGE_FIELDS[k]) == 0 &&
                 Py_IS_TYPE(member, &PyMemberDescr_Type) &&
                 ((PyMemberDescrObject *)member)->d_member->type == T_OBJECT_EX;
        if (usable)
            s->slots[k] = ((PyMemberDescrObject *)member)->d_member->offset;
        Py_XDECREF(member);
    }
    Py_DECREF(names);
    PyErr_Clear();
    if (!usable)
        s->slots[0] = 0;
}

static PyObject *
new_message(Scan *s, PyObject *const fields[10])
{
    if (s->slots[0] == 0)
        return PyObject_Vectorcall(s->message, fields, 10, NULL);
    PyTypeObject *type = (PyTypeObject *)s->message;
    PyObject *message = type->tp_alloc(type, 0);
    if (message == NULL)
        return NULL;
    for (int k = 0; k < 10; k++)
        *(PyObject **)((char *)message + s->slots[k]) = Py_NewRef(fields[k]);
    /* Its fields are str, int and bool, so it can be in no reference cycle and the
     * collector need not watch it (CPython untracks tuples of such values the same
     * way). Watched, 200k records cost the first collection after the scan 0.05 s. */
    PyObject_GC_UnTrack(message);
    return message;
}

/* Record the message whose header line is [start, first_end) and whose text ends at
 * body_end; it spans `span` lines from line `number`. */
static int
record(Scan *s, const Header *h, PyObject *stamp, Py_ssize_t number, Py_ssize_t span,
       Py_ssize_t first_end, Py_ssize_t body_end)
{
    const Text *t = &s->t;
    PyObject *kind = NULL, *author = NULL, *body = NULL, *id = NULL, *message = NULL;
    int edited = 0;
    Py_ssize_t sep = common_split(t, h->rest, first_end, body_end, &kind);
    if (sep < 0) {
        /* the Python rules: (author, kind, text, edited) as recorded */
        PyObject *args[2] = {PyUnicode_Substring(s->text, h->rest, first_end),
                             PyUnicode_Substring(s->text, first_end,
                                                 body_end > first_end ? body_end : first_end)};
        PyObject *other = NULL;
        if (args[0] != NULL && args[1] != NULL)
            other = PyObject_Vectorcall(s->record_other, args, 2, NULL);
        Py_XDECREF(args[0]);
        Py_XDECREF(args[1]);
        if (other == NULL)
            return -1;
        if (!PyArg_ParseTuple(other, "UUUp", &author, &kind, &body, &edited)) {
            Py_DECREF(other);
            return -1;
        }
        Py_INCREF(author);
        Py_INCREF(body);
        Py_INCREF(kind);
        Py_DECREF(other);
    }
    else {
        PyObject *raw_name = PyUnicode_Substring(s->text, h->rest, sep);
        if (raw_name == NULL)
            return -1;
        author = cached(s->names, raw_name, s->author, &raw_name, 1);
        Py_DECREF(raw_name);
        if (author == NULL)
            return -1;
        body = PyUnicode_Substring(s->text, sep + 2, body_end);
        if (body != NULL && may_hold_contact(body))
            Py_SETREF(body, PyObject_CallOneArg(s->mask, body));
        if (body == NULL) {
            Py_DECREF(author);
            return -1;
        }
        Py_INCREF(kind);
    }
    /* occurrence and id as Recorder.record: counted by the id of occurrence 0 */
    unsigned char digest[8];
    if (id_digest(s->chat, stamp, author, body, 0, digest) < 0)
        goto done;
    uint64_t key = 0;
    for (int k = 0; k < 8; k++)
        key = key << 8 | digest[k];
    long occurrence = occurrences_next(&s->seen, key);
    if (occurrence < 0 ||
        (occurrence > 0 && id_digest(s->chat, stamp, author, body, occurrence, digest) < 0))
        goto done;
    if ((id = hex_id(digest)) == NULL)
        goto done;
    PyObject *line = PyLong_FromSsize_t(number);
    if (line == NULL)
        goto done;
    PyObject *fields[10] = {id,     s->chat, s->platform, s->source,
                            line,   stamp,   author,      kind,
                            body,   edited ? Py_True : Py_False};
    message = new_message(s, fields);
    Py_DECREF(line);
    if (message != NULL && PyList_Append(s->records, message) == 0)
        s->lines_in_records += span;
    else
        Py_CLEAR(message);
done:
    Py_XDECREF(id);
    Py_DECREF(author);
    Py_DECREF(kind);
    Py_DECREF(body);
    if (message == NULL)
        return -1;
    Py_DECREF(message);
    return 0;
}

static const char *RECORDER_FIELDS[] = {"chat",   "platform", "source", "records",
                                        "author", "mask",     "message"};

/* scan_whatsapp(text, ios, max_line_chars, iso_date, iso_clock, record_other, recorder)
 *   -> (lines_in_records, text_lines_before, blank_lines_before, long_line)
 *
 * Appends the export's messages to recorder.records, in order; long_line is None or
 * (line number, length) of the first line longer than max_line_chars, where the scan
 * stopped. */
static PyObject *
scan_whatsapp(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    Scan s = {0};
    /* the open message: its header, stamp, first line and where it started */
    Header open = {0};
    PyObject *open_stamp = NULL, *long_line = NULL;
    Py_ssize_t open_number = 0, open_first_end = 0;
    if (nargs != 7 || read_text(args[0], &s.t) < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError,
                            "scan_whatsapp(text, ios, max_line_chars, iso_date, iso_clock, "
                            "record_other, recorder)");
        return NULL;
    }
    int ios = PyObject_IsTrue(args[1]);
    Py_ssize_t max_line = PyLong_AsSsize_t(args[2]);
    if (ios < 0 || (max_line == -1 && PyErr_Occurred()))
        return NULL;
    s.text = args[0];
    s.iso_date = args[3];
    s.iso_clock = args[4];
    s.record_other = args[5];
    PyObject **fields[] = {&s.chat,   &s.platform, &s.source, &s.records,
                           &s.author, &s.mask,     &s.message};
    PyObject *result = NULL;
    for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
        if ((*fields[k] = PyObject_GetAttrString(args[6], RECORDER_FIELDS[k])) == NULL)
            goto out;
    if (!PyUnicode_Check(s.chat) || !PyList_Check(s.records)) {
        PyErr_SetString(PyExc_TypeError, "a recorder's chat is a str and records a list");
        goto out;
    }
    find_slots(&s);
    if ((s.dates = PyDict_New()) == NULL || (s.clocks = PyDict_New()) == NULL ||
        (s.names = PyDict_New()) == NULL)
        goto out;

    const Text *t = &s.t;
    Py_ssize_t number = 1, before_text = 0, before_blank = 0;
    for (Py_ssize_t i = 0; i < t->length; number++) {
        Py_ssize_t end = line_end(t, i);
        if (end - i > max_line) {
            long_line = Py_BuildValue("(nn)", number, end - i);
            break;
        }
        Header h;
        PyObject *stamp = NULL;
        if (match_header(t, i, end, ios, &h)) {
            if ((stamp = stamp_of(&s, &h)) == NULL)
                goto out;
            if (stamp == Py_None)
                Py_CLEAR(stamp);
        }
        if (stamp != NULL) {
            if (open_stamp != NULL &&
                record(&s, &open, open_stamp, open_number, number - open_number,
                       open_first_end, i - 1) < 0) {
                Py_DECREF(stamp);
                goto out;
            }
            Py_XSETREF(open_stamp, stamp);
            open = h;
            open_number = number;
            open_first_end = end;
        }
        else if (open_stamp == NULL) {
            int blank = 1;
            for (Py_ssize_t k = i; k < end && blank; k++)
                blank = Py_UNICODE_ISSPACE(AT(t, k));
            if (blank)
                before_blank++;
            else
                before_text++;
        }
        i = end + 1;
    }
    if (open_stamp != NULL && long_line == NULL) {
        /* the last message ends with the text, less a last line break */
        Py_ssize_t body_end = t->length - (t->length > 0 && AT(t, t->length - 1) == '\n');
        if (record(&s, &open, open_stamp, open_number, number - open_number, open_first_end,
                   body_end) < 0)
            goto out;
    }
    if (long_line == NULL) {
        long_line = Py_None;
        Py_INCREF(long_line);
    }
    result = Py_BuildValue("(nnnN)", s.lines_in_records, before_text, before_blank, long_line);
    long_line = NULL;
out:
    Py_XDECREF(open_stamp);
    Py_XDECREF(long_line);
    for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
        Py_XDECREF(*fields[k]);
    Py_XDECREF(s.dates);
    Py_XDECREF(s.clocks);
    Py_XDECREF(s.names);
    Py_XDECREF(s.last_stamp);
    PyMem_Free(s.seen.slots);
    return result;
}

static PyMethodDef methods[] = {
    {"header_dates", (PyCFunction)(void (*)(void))header_dates, METH_FASTCALL,
     "header_dates(text, ios) -> the date of each header line, a run of equal dates once."},
    {"scan_whatsapp", (PyCFunction)(void (*)(void))scan_whatsapp, METH_FASTCALL,
     "scan_whatsapp(text, ios, max_line_chars, iso_date, iso_clock, record_other, "
     "recorder) -> (lines_in_records, text_lines_before, blank_lines_before, long_line)"},
    {"message_id", (PyCFunction)(void (*)(void))message_id, METH_FASTCALL,
     "message_id(chat, timestamp, author, text, occurrence) -> the 16-digit id."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_whatsapp",
    .m_doc = "WhatsApp exports read in C (see whatsapp.py for the rules).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__whatsapp(void)
{
#ifdef HAVE_SHA_NI_CODE
    /* GUYUB_PORTABLE_SHA1 keeps the portable code, for the tests of both */
    const char *portable = getenv("GUYUB_PORTABLE_SHA1");
    if (cpu_has_sha_ni() && !(portable && *portable))
        sha1_compress = sha1_block_ni;
#endif
    if ((KIND = PyUnicode_InternFromString("message")) == NULL)
        return NULL;
    for (size_t k = 0; k < N_PLACEHOLDERS; k++)
        if ((KINDS[k] = PyUnicode_InternFromString(PLACEHOLDERS[k][1])) == NULL)
            return NULL;
    return PyModule_Create(&module);
}
