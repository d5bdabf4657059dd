/*
 * A compiled webhook receiver for the outgoing-webhooks benchmark (webhooks.py), so the receiver is not what is
 * measured.
 *
 *   webhook_receiver PORT
 *
 * Serves HTTP/1.1 on 127.0.0.1:PORT with SO_REUSEPORT (several processes share the port; the kernel spreads the
 * connections over them): keep-alive, Content-Length or chunked request bodies, every request answered `200` with
 * an empty body. A request to a path it has a key for (`/hook/N`) is checked as Standard Webhooks: one of the
 * space-separated `webhook-signature` entries must be `v1,` + base64(HMAC-SHA256(key, webhook-id "." webhook-timestamp
 * "." body)), compared in constant time. It counts requests per path, bad signatures and unknown paths; keeps the
 * set of distinct webhook-ids (duplicates = requests − distinct), the first and last arrival (CLOCK_MONOTONIC, the
 * clock Python's time.monotonic reads), each body's record title with its arrival when asked, and the first
 * request of each path in full so that the harness can check it with the `standardwebhooks` package too.
 *
 * Control: one command a line on stdin, one answer a line on stdout ("ready" first, once listening):
 *   keys TITLES [PATH SECRET]...   forgets keys and counts; SECRET is whsec_BASE64; TITLES 1 records titles  → ok
 *   peek                           → distinct webhook-ids so far
 *   collect                        → the report, one JSON line; then counting starts again (the keys stay)
 *   stop, or the end of stdin      → exits
 * The report: {"counts": {path: requests}, "bad": n, "unknown": n, "first": s|null, "last": s|null, "cpu": own
 * user+system seconds since the last keys/collect, "ids": [webhook-id...], "titles": [[title, s]...],
 * "requests": {path: {"head": base64, "body": base64}}} (the first request of each path: its request line and
 * headers, and its body with any chunked framing taken off). Loopback only. Link with -lcrypto.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#define MAX_REQUEST (16 << 20) /* a connection buffering more than this without a complete request is dropped */

static const char OK_ANSWER[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

static void fail(const char *what) {
    perror(what);
    exit(2);
}

static void fail_openssl(const char *what) {
    fprintf(stderr, "webhook_receiver: %s failed\n", what);
    exit(2);
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

/* =============================================================================== growable buffers, JSON out */
typedef struct {
    char *p;
    size_t len, cap;
} Buf;

static void reserve(Buf *b, size_t extra) {
    if (b->len + extra <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra) cap *= 2;
    if (!(b->p = realloc(b->p, cap))) fail("realloc");
    b->cap = cap;
}

static void add(Buf *b, const void *data, size_t n) {
    reserve(b, n);
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void add_str(Buf *b, const char *s) { add(b, s, strlen(s)); }

static void add_fmt(Buf *b, const char *format, ...) {
    char tmp[64]; /* only numbers are formatted */
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(tmp, sizeof tmp, format, ap);
    va_end(ap);
    add(b, tmp, n < (int)sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string; everything outside printable ASCII escaped, so the report is ASCII whatever a sender sent. */
static void add_json(Buf *b, const char *s, size_t n) {
    add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            add(b, "\\", 1);
            add(b, &c, 1);
        } else if (c < 0x20 || c >= 0x7f) {
            add_fmt(b, "\\u%04x", c);
        } else {
            add(b, &c, 1);
        }
    }
    add(b, "\"", 1);
}

static void add_base64(Buf *b, const char *s, size_t n) {
    add(b, "\"", 1);
    reserve(b, 4 * ((n + 2) / 3) + 1); /* EVP_EncodeBlock writes a NUL after the text */
    b->len += (size_t)EVP_EncodeBlock((unsigned char *)b->p + b->len, (const unsigned char *)s, (int)n);
    add(b, "\"", 1);
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) fail("write");
        p += w;
        n -= (size_t)w;
    }
}

/* =============================================================================== the set of webhook-ids */
typedef struct {
    uint64_t hash;
    size_t off; /* into the arena */
    uint32_t len;
    uint8_t used;
} Slot;

typedef struct {
    Slot *slots; /* open addressing, linear probing, at most half full */
    size_t cap, count;
    Buf arena; /* the ids back to back */
} IdSet;

static uint64_t fnv1a(const char *s, size_t n) {
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static void idset_grow(IdSet *s) {
    size_t cap = s->cap ? s->cap * 2 : 4096;
    Slot *slots = calloc(cap, sizeof *slots);
    if (!slots) fail("calloc");
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slots[i].used) continue;
        size_t j = s->slots[i].hash & (cap - 1);
        while (slots[j].used) j = (j + 1) & (cap - 1);
        slots[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
}

static void idset_add(IdSet *s, const char *id, size_t n) {
    if (2 * (s->count + 1) > s->cap) idset_grow(s);
    uint64_t h = fnv1a(id, n);
    size_t j = h & (s->cap - 1);
    for (; s->slots[j].used; j = (j + 1) & (s->cap - 1)) {
        Slot *x = &s->slots[j];
        if (x->hash == h && x->len == n && (n == 0 || memcmp(s->arena.p + x->off, id, n) == 0)) return;
    }
    s->slots[j] = (Slot){.hash = h, .off = s->arena.len, .len = (uint32_t)n, .used = 1};
    add(&s->arena, id, n);
    s->count++;
}

static void idset_clear(IdSet *s) {
    free(s->slots);
    s->slots = NULL;
    s->cap = s->count = 0;
    s->arena.len = 0;
}

/* =============================================================================== what is counted */
typedef struct {
    char *path;
    EVP_MAC_CTX *mac; /* HMAC-SHA256 with this path's key */
    long count;
    int saved; /* whether head/body hold this path's first request */
    Buf head, body;
} Hook;

static struct {
    Hook *hooks; /* few (--webhooks): looked up by a linear search */
    int hooks_len;
    int want_titles;
    long bad, unknown;
    long long first, last; /* ns; 0 while nothing arrived */
    IdSet ids;
    Buf titles; /* report fragments `["title",s],` in arrival order */
    double cpu0;
} st;

static void reset_counts(void) {
    for (int i = 0; i < st.hooks_len; i++) st.hooks[i].count = st.hooks[i].saved = 0;
    st.bad = st.unknown = 0;
    st.first = st.last = 0;
    idset_clear(&st.ids);
    st.titles.len = 0;
    st.cpu0 = cpu_seconds();
}

static void forget_keys(void) {
    for (int i = 0; i < st.hooks_len; i++) {
        EVP_MAC_CTX_free(st.hooks[i].mac);
        free(st.hooks[i].path);
        free(st.hooks[i].head.p);
        free(st.hooks[i].body.p);
    }
    free(st.hooks);
    st.hooks = NULL;
    st.hooks_len = 0;
}

/* An HMAC-SHA256 context keyed with the raw key of a `whsec_BASE64` secret (the prefix is optional, as in Python's
 * removeprefix), or NULL if the secret is not that. */
static EVP_MAC_CTX *keyed_hmac(const char *secret) {
    static EVP_MAC *hmac;
    if (!hmac && !(hmac = EVP_MAC_fetch(NULL, "HMAC", NULL))) fail_openssl("EVP_MAC_fetch");
    if (strncmp(secret, "whsec_", 6) == 0) secret += 6;
    size_t n = strlen(secret);
    unsigned char key[512];
    if (n == 0 || n % 4 != 0 || n / 4 * 3 > sizeof key) return NULL;
    int len = EVP_DecodeBlock(key, (const unsigned char *)secret, (int)n);
    if (len < 0) return NULL;
    len -= (secret[n - 1] == '=') + (secret[n - 2] == '='); /* EVP_DecodeBlock counts padding as zero bytes */
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                           OSSL_PARAM_construct_end()};
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac);
    if (!ctx || !EVP_MAC_init(ctx, key, (size_t)len, params)) fail_openssl("EVP_MAC_init");
    return ctx;
}

/* =============================================================================== one request */
typedef struct {
    const char *p;
    size_t n;
} Str;

typedef struct {
    Str path, id, stamp, signature, body;
    size_t head_len; /* request line and headers with their closing empty line */
    int close;
} Request;

static Buf chunked_body; /* a chunked request's body, its framing taken off */

static int name_is(const char *p, size_t n, const char *name) {
    return n == strlen(name) && strncasecmp(p, name, n) == 0;
}

static Str trimmed(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t')) end--;
    return (Str){p, (size_t)(end - p)};
}

/* A decimal number of `limit` at most, or -1. */
static long number(Str s, long limit) {
    long v = 0;
    if (s.n == 0) return -1;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9' || v > limit / 10) return -1;
        v = v * 10 + (s.p[i] - '0');
    }
    return v <= limit ? v : -1;
}

/* Takes off the chunked framing of the body at buf[at..len) into chunked_body: its end, 0 while incomplete, -1 if
 * malformed. Trailer fields after the last chunk are skipped. */
static long unchunk(const char *buf, size_t len, size_t at) {
    chunked_body.len = 0;
    for (;;) {
        const char *eol = memmem(buf + at, len - at, "\r\n", 2);
        if (!eol) return 0;
        size_t size = 0, digits = 0;
        for (const char *p = buf + at; p < eol && *p != ';'; p++, digits++) { /* the size: hex, then ;extensions */
            int c = *p, l = c | 0x20, d = c >= '0' && c <= '9' ? c - '0' : l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
            if (d < 0 || size > MAX_REQUEST) return -1;
            size = size * 16 + (size_t)d;
        }
        if (digits == 0 || size > MAX_REQUEST) return -1;
        at = (size_t)(eol - buf) + 2;
        if (size == 0) {
            for (;;) { /* trailer lines up to the empty one */
                eol = memmem(buf + at, len - at, "\r\n", 2);
                if (!eol) return 0;
                size_t line = (size_t)(eol - buf) - at;
                at += line + 2;
                if (line == 0) return (long)at;
            }
        }
        if (len < at + size + 2) return 0;
        add(&chunked_body, buf + at, size);
        at += size + 2;
    }
}

/* Parses the request at the start of buf[0..len): its length, 0 while incomplete, -1 if malformed. Headers are
 * parsed again when a body is still incomplete; they are short. */
static long parse_request(const char *buf, size_t len, Request *r) {
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    if (!end) return len > MAX_REQUEST ? -1 : 0;
    memset(r, 0, sizeof *r);
    r->head_len = (size_t)(end - buf) + 4;
    const char *line_end = memmem(buf, r->head_len, "\r\n", 2);
    const char *sp = memchr(buf, ' ', (size_t)(line_end - buf)); /* METHOD SP PATH SP VERSION */
    if (sp) {
        const char *sp2 = memchr(sp + 1, ' ', (size_t)(line_end - sp - 1));
        r->path = (Str){sp + 1, (size_t)((sp2 ? sp2 : line_end) - sp - 1)};
    }
    long length = 0;
    int chunked = 0;
    for (const char *p = line_end + 2; p < end;) {
        const char *eol = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon) {
            Str name = trimmed(p, colon), value = trimmed(colon + 1, eol);
            if (name_is(name.p, name.n, "content-length")) {
                if ((length = number(value, MAX_REQUEST)) < 0) return -1;
            } else if (name_is(name.p, name.n, "transfer-encoding")) {
                chunked = name_is(value.p, value.n, "chunked");
            } else if (name_is(name.p, name.n, "connection")) {
                r->close = name_is(value.p, value.n, "close");
            } else if (name_is(name.p, name.n, "webhook-id")) {
                r->id = value;
            } else if (name_is(name.p, name.n, "webhook-timestamp")) {
                r->stamp = value;
            } else if (name_is(name.p, name.n, "webhook-signature")) {
                r->signature = value;
            }
        }
        p = eol + 2;
    }
    if (chunked) {
        long done = unchunk(buf, len, r->head_len);
        if (done > 0) r->body = (Str){chunked_body.p, chunked_body.len};
        return done == 0 && len > MAX_REQUEST ? -1 : done;
    }
    if (len < r->head_len + (size_t)length) return 0;
    r->body = (Str){buf + r->head_len, (size_t)length};
    return (long)(r->head_len + (size_t)length);
}

/* Whether one `v1,` entry of the signature header is `expected`; every entry is compared (in constant time). */
static int signature_matches(Str header, const unsigned char *expected, size_t len) {
    int ok = 0;
    const char *p = header.p, *end = header.p + header.n;
    while (p < end) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        const char *e = sp ? sp : end;
        if ((size_t)(e - p) == len + 3 && memcmp(p, "v1,", 3) == 0 && CRYPTO_memcmp(p + 3, expected, len) == 0) ok = 1;
        p = e + 1;
    }
    return ok;
}

/* data.record.title of a body: the contents of the first `"title":"` string. The bodies are the senders' compact
 * JSON, whose only "title" key is the record's field. The contents are kept as they are (still JSON-escaped), and
 * become a JSON string of the report again, which the harness decodes. */
static void record_title(Str body, long long now) {
    const char *t = body.n ? memmem(body.p, body.n, "\"title\":\"", 9) : NULL;
    if (!t) return;
    const char *s = t + 9, *e = s, *end = body.p + body.n;
    while (e < end && *e != '"') {
        if ((unsigned char)*e < 0x20) return; /* not JSON: left out rather than breaking the report */
        e += *e == '\\' ? 2 : 1;
    }
    if (e >= end) return;
    add(&st.titles, "[\"", 2);
    add(&st.titles, s, (size_t)(e - s));
    add_fmt(&st.titles, "\",%.9f],", now / 1e9);
}

static void handle(const char *buf, const Request *r, long long now) {
    Hook *h = NULL;
    for (int i = 0; i < st.hooks_len && !h; i++) {
        if (r->path.n == strlen(st.hooks[i].path) && memcmp(r->path.p, st.hooks[i].path, r->path.n) == 0) {
            h = &st.hooks[i];
        }
    }
    if (!h) {
        st.unknown++;
        return;
    }
    /* HMAC over id.timestamp.body. EVP_MAC_init without a key starts again with the context's key: OpenSSL's
     * one-shot HMAC() looks the algorithm up, allocates and keys a context each time, which was a seventh of this
     * process's CPU here (a wrong MAC would show, as every request counted bad). */
    unsigned char mac[EVP_MAX_MD_SIZE], expected[2 * EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    if (!EVP_MAC_init(h->mac, NULL, 0, NULL) || !EVP_MAC_update(h->mac, (const unsigned char *)r->id.p, r->id.n) ||
        !EVP_MAC_update(h->mac, (const unsigned char *)".", 1) ||
        !EVP_MAC_update(h->mac, (const unsigned char *)r->stamp.p, r->stamp.n) ||
        !EVP_MAC_update(h->mac, (const unsigned char *)".", 1) ||
        !EVP_MAC_update(h->mac, (const unsigned char *)r->body.p, r->body.n) ||
        !EVP_MAC_final(h->mac, mac, &mac_len, sizeof mac)) {
        fail_openssl("HMAC");
    }
    int expected_len = EVP_EncodeBlock(expected, mac, (int)mac_len);
    if (!signature_matches(r->signature, expected, (size_t)expected_len)) st.bad++;
    if (!h->saved) {
        h->saved = 1;
        h->head.len = h->body.len = 0;
        add(&h->head, buf, r->head_len);
        add(&h->body, r->body.p, r->body.n);
    }
    h->count++;
    idset_add(&st.ids, r->id.p, r->id.n);
    if (!st.first) st.first = now;
    st.last = now;
    if (st.want_titles) record_title(r->body, now);
}

/* =============================================================================== connections */
typedef struct {
    int fd;
    Buf in, out;
    int watching_out; /* EPOLLOUT asked for: an answer did not fit in the socket */
} Conn;

static int ep;

static void drop(Conn *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->in.p);
    free(c->out.p);
    free(c);
}

/* Writes what it can of the answers; watches for writability while some are left. Answers -1 on an error. */
static int flush(Conn *c) {
    size_t done = 0;
    while (done < c->out.len) {
        ssize_t n = send(c->fd, c->out.p + done, c->out.len - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            return -1;
        }
    }
    if (done) {
        memmove(c->out.p, c->out.p + done, c->out.len - done);
        c->out.len -= done;
    }
    int want_out = c->out.len > 0;
    if (want_out != c->watching_out) {
        struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        c->watching_out = want_out;
    }
    return 0;
}

static void serve(Conn *c, uint32_t events) {
    if ((events & EPOLLOUT) && flush(c) < 0) {
        drop(c);
        return;
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    reserve(&c->in, 65536);
    ssize_t n = read(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    long long now = now_ns();
    if (n > 0) c->in.len += (size_t)n;
    size_t used = 0;
    int close_after = n <= 0; /* the peer closed (or failed): what came before it still counts */
    for (;;) {
        Request r;
        long len = parse_request(c->in.p + used, c->in.len - used, &r);
        if (len < 0) close_after = 1;
        if (len <= 0) break;
        handle(c->in.p + used, &r, now);
        add(&c->out, OK_ANSWER, sizeof OK_ANSWER - 1);
        used += (size_t)len;
        if (r.close) {
            close_after = 1;
            break;
        }
    }
    memmove(c->in.p, c->in.p + used, c->in.len - used);
    c->in.len -= used;
    if (flush(c) < 0 || close_after) drop(c);
}

/* =============================================================================== control */
static void report(void) {
    Buf o = {0};
    add_str(&o, "{\"counts\":{");
    const char *comma = "";
    for (int i = 0; i < st.hooks_len; i++) {
        if (!st.hooks[i].count) continue;
        add_str(&o, comma);
        add_json(&o, st.hooks[i].path, strlen(st.hooks[i].path));
        add_fmt(&o, ":%ld", st.hooks[i].count);
        comma = ",";
    }
    add_fmt(&o, "},\"bad\":%ld,\"unknown\":%ld,\"first\":", st.bad, st.unknown);
    if (st.first) add_fmt(&o, "%.9f,\"last\":%.9f", st.first / 1e9, st.last / 1e9);
    else add_str(&o, "null,\"last\":null");
    add_fmt(&o, ",\"cpu\":%.6f,\"ids\":[", cpu_seconds() - st.cpu0);
    comma = "";
    for (size_t i = 0; i < st.ids.cap; i++) {
        const Slot *s = &st.ids.slots[i];
        if (!s->used) continue;
        add_str(&o, comma);
        add_json(&o, st.ids.arena.p + s->off, s->len);
        comma = ",";
    }
    add_str(&o, "],\"titles\":[");
    if (st.titles.len) add(&o, st.titles.p, st.titles.len - 1); /* without the last comma */
    add_str(&o, "],\"requests\":{");
    comma = "";
    for (int i = 0; i < st.hooks_len; i++) {
        Hook *h = &st.hooks[i];
        if (!h->saved) continue;
        add_str(&o, comma);
        add_json(&o, h->path, strlen(h->path));
        add_str(&o, ":{\"head\":");
        add_base64(&o, h->head.p, h->head.len);
        add_str(&o, ",\"body\":");
        add_base64(&o, h->body.p, h->body.len);
        add_str(&o, "}");
        comma = ",";
    }
    add_str(&o, "}}\n");
    write_all(1, o.p, o.len);
    free(o.p);
}

static void answer(const char *text) { write_all(1, text, strlen(text)); }

static void command(char *line) {
    char *save = NULL, *word = strtok_r(line, " ", &save);
    if (!word) {
        answer("error empty command\n");
    } else if (strcmp(word, "keys") == 0) {
        forget_keys();
        char *titles = strtok_r(NULL, " ", &save), *path, *secret;
        st.want_titles = titles && atoi(titles);
        int ok = 1;
        while ((path = strtok_r(NULL, " ", &save)) && (secret = strtok_r(NULL, " ", &save))) {
            EVP_MAC_CTX *mac = keyed_hmac(secret);
            if (!mac) { /* left out: its requests count as unknown */
                ok = 0;
                continue;
            }
            if (!(st.hooks = realloc(st.hooks, (size_t)(st.hooks_len + 1) * sizeof *st.hooks))) fail("realloc");
            Hook *h = &st.hooks[st.hooks_len++];
            memset(h, 0, sizeof *h);
            h->mac = mac;
            if (!(h->path = strdup(path))) fail("strdup");
        }
        reset_counts();
        answer(ok ? "ok\n" : "error a secret is not whsec_ + base64\n");
    } else if (strcmp(word, "peek") == 0) {
        char text[32];
        snprintf(text, sizeof text, "%zu\n", st.ids.count);
        answer(text);
    } else if (strcmp(word, "collect") == 0) {
        report();
        reset_counts();
    } else if (strcmp(word, "stop") == 0) {
        exit(0);
    } else {
        answer("error unknown command\n");
    }
}

/* Reads stdin (level-triggered: one read a wakeup) and obeys its complete lines. */
static void control(Buf *in) {
    reserve(in, 65536);
    ssize_t n = read(0, in->p + in->len, in->cap - in->len);
    if (n <= 0) exit(0); /* the harness is gone */
    in->len += (size_t)n;
    size_t start = 0;
    char *nl;
    while ((nl = memchr(in->p + start, '\n', in->len - start))) {
        *nl = 0;
        command(in->p + start);
        start = (size_t)(nl - in->p) + 1;
    }
    memmove(in->p, in->p + start, in->len - start);
    in->len -= start;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT   (then commands on stdin: keys, peek, collect, stop)\n", argv[0]);
        return 2;
    }
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
    if (listener < 0) fail("socket");
    setsockopt(listener, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0) fail("bind");
    if (listen(listener, 4096) != 0) fail("listen");

    /* The listener and stdin are told apart from connections by these two addresses. */
    static char listener_tag, control_tag;
    if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0) fail("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &listener_tag};
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    ev.data.ptr = &control_tag;
    epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev);
    reset_counts();
    answer("ready\n");

    Buf control_in = {0};
    struct epoll_event events[256];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1); /* no timeout needed: the end of stdin wakes it */
        if (n < 0 && errno != EINTR) fail("epoll_wait");
        for (int i = 0; i < n; i++) {
            void *tag = events[i].data.ptr;
            if (tag == &control_tag) {
                control(&control_in);
            } else if (tag == &listener_tag) {
                int fd;
                while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    Conn *c = calloc(1, sizeof *c);
                    if (!c) fail("calloc");
                    c->fd = fd;
                    struct epoll_event cev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                }
            } else {
                serve(tag, events[i].events);
            }
        }
    }
}
