/*
 * A compiled GraphQL-over-WebSocket subscriber (graphql-transport-ws) for the subscription fan-out benchmark,
 * so the client is not what is measured.
 *
 *   ws_client PORT PATH QUERY CONNECTIONS EXPECTED_PER_CONNECTION DEADLINE_SECONDS
 *
 * Opens CONNECTIONS WebSockets to PATH with the `graphql-transport-ws` sub-protocol; on each it sends
 * `connection_init`, waits for `connection_ack`, subscribes QUERY as operation "1" and then runs the query
 * `{ __typename }` as operation "2" — its answer means the server has taken the subscription. Then it prints
 * "ready" and reads every socket with epoll, timestamping each `next` of operation "1" (CLOCK_MONOTONIC, the
 * clock Python's perf_counter reads) by the record's "title". When every connection has its events or the
 * deadline passes, it prints one "title ns" line per delivery and a last "cpu SECONDS" line (its own
 * user+system time). Loopback only. Frames from the server are unmasked; ours are masked, as RFC 6455 asks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "../bench_client.h"

typedef struct {
    int fd;
    unsigned char buf[1 << 17];
    size_t len;
    long received;
} Conn;

static void fail(const char *what) {
    fprintf(stderr, "ws_client: %s\n", what);
    exit(2);
}

/* Sends one masked frame (opcode 1 = text, 10 = pong). */
static void send_frame(int fd, int opcode, const char *payload, size_t len) {
    unsigned char frame[16 + 4096];
    if (len > 4096) fail("frame too long");
    static const unsigned char mask[4] = {0x5a, 0x17, 0xc3, 0x9e};
    size_t h = 0;
    frame[h++] = (unsigned char)(0x80 | opcode);
    if (len < 126) {
        frame[h++] = (unsigned char)(0x80 | len);
    } else {
        frame[h++] = 0x80 | 126;
        frame[h++] = (unsigned char)(len >> 8);
        frame[h++] = (unsigned char)len;
    }
    memcpy(frame + h, mask, 4);
    h += 4;
    for (size_t i = 0; i < len; i++) frame[h + i] = (unsigned char)payload[i] ^ mask[i % 4];
    send_all(fd, frame, h + len);
}

static void send_text(int fd, const char *text) { send_frame(fd, 1, text, strlen(text)); }

/*
 * Takes the first complete frame out of the buffer: answers its opcode and points payload/len at it (valid
 * until the next call), or answers -1 when the buffer holds no complete frame.
 */
static int next_frame(Conn *c, size_t *consumed, const unsigned char **payload, size_t *len) {
    if (c->len < 2) return -1;
    int opcode = c->buf[0] & 0x0f;
    if (c->buf[1] & 0x80) fail("masked frame from the server");
    size_t n = c->buf[1] & 0x7f, h = 2;
    if (n == 126) {
        if (c->len < 4) return -1;
        n = ((size_t)c->buf[2] << 8) | c->buf[3];
        h = 4;
    } else if (n == 127) {
        if (c->len < 10) return -1;
        n = 0;
        for (int i = 0; i < 8; i++) n = (n << 8) | c->buf[2 + i];
        h = 10;
    }
    if (h + n > sizeof c->buf) fail("frame larger than the buffer");
    if (c->len < h + n) return -1;
    if (!(c->buf[0] & 0x80)) fail("fragmented frame (not expected from the server)");
    *payload = c->buf + h;
    *len = n;
    *consumed = h + n;
    return opcode;
}

static void drop(Conn *c, size_t consumed) {
    memmove(c->buf, c->buf + consumed, c->len - consumed);
    c->len -= consumed;
}

static void fill(Conn *c) {
    ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
    if (n <= 0) fail("connection closed during set-up");
    c->len += (size_t)n;
}

/* Blocks until a text message containing `needle` arrives (answering pings on the way). */
static void await_text(Conn *c, const char *needle) {
    for (;;) {
        size_t consumed, len;
        const unsigned char *payload;
        int op = next_frame(c, &consumed, &payload, &len);
        if (op < 0) { fill(c); continue; }
        if (op == 8) fail("closed by the server during set-up");
        if (op == 9) send_frame(c->fd, 10, (const char *)payload, len);
        int found = op == 1 && memmem(payload, len, needle, strlen(needle)) != NULL;
        drop(c, consumed);
        if (found) return;
    }
}

static void handshake(Conn *c, int port, const char *path) {
    char request[1024];
    int n = snprintf(request, sizeof request,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n", path, port);
    send_all(c->fd, request, (size_t)n);
    for (;;) {
        unsigned char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (end) {
            if (c->len < 12 || memcmp(c->buf + 9, "101", 3) != 0) fail("upgrade refused");
            drop(c, (size_t)(end + 4 - c->buf));
            return;
        }
        fill(c);
    }
}

/* Appends a delivery for every `next` of operation "1" among the complete frames in the buffer. */
static void scan(Conn *c, Delivery *out, long *count, long capacity, long long at) {
    for (;;) {
        size_t consumed, len;
        const unsigned char *payload;
        int op = next_frame(c, &consumed, &payload, &len);
        if (op < 0) return;
        if (op == 9) send_frame(c->fd, 10, (const char *)payload, len);
        if (op == 1 && memmem(payload, len, "\"next\"", 6) && memmem(payload, len, "\"id\":\"1\"", 8)) {
            const unsigned char *t = memmem(payload, len, "\"title\":\"", 9);
            if (t && *count < capacity) {
                out[*count].title = strtol((const char *)t + 9, NULL, 10);
                out[*count].ns = at;
                (*count)++;
                c->received++;
            }
        }
        drop(c, consumed);
    }
}

/* Writes `text` as a JSON string body (quotes and backslashes escaped) into out. */
static void json_string(char *out, size_t size, const char *text) {
    size_t o = 0;
    out[o++] = '"';
    for (const char *p = text; *p && o + 3 < size; p++) {
        if (*p == '"' || *p == '\\') out[o++] = '\\';
        out[o++] = *p;
    }
    out[o++] = '"';
    out[o] = 0;
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s PORT PATH QUERY CONNECTIONS EXPECTED_PER_CONNECTION DEADLINE_SECONDS\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    const char *path = argv[2];
    int connections = atoi(argv[4]);
    long expected = atol(argv[5]);
    double deadline_s = atof(argv[6]);
    char query[2048], subscribe[2304];
    json_string(query, sizeof query, argv[3]);
    snprintf(subscribe, sizeof subscribe, "{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":%s}}", query);
    Conn *conns = calloc((size_t)connections, sizeof(Conn));
    long capacity = (long)connections * expected;
    Delivery *deliveries = calloc((size_t)(capacity > 0 ? capacity : 1), sizeof(Delivery));
    if (!conns || !deliveries) fail("out of memory");
    int ep = epoll_create1(0);
    for (int i = 0; i < connections; i++) {
        Conn *c = &conns[i];
        c->fd = dial(port);
        handshake(c, port, path);
        send_text(c->fd, "{\"type\":\"connection_init\",\"payload\":{}}");
        await_text(c, "\"connection_ack\"");
        send_text(c->fd, subscribe);
        send_text(c->fd, "{\"id\":\"2\",\"type\":\"subscribe\",\"payload\":{\"query\":\"{ __typename }\"}}");
        await_text(c, "\"id\":\"2\"");
        watch(ep, c->fd, c);
    }
    printf("ready\n");
    fflush(stdout);

    long count = 0;
    long long stop = now_ns() + (long long)(deadline_s * 1e9);
    struct epoll_event events[256];
    while (count < capacity && now_ns() < stop) {
        int n = epoll_wait(ep, events, 256, 100);
        long long at = now_ns();
        for (int i = 0; i < n; i++) {
            Conn *c = events[i].data.ptr;
            /* Frames already buffered (set-up may have read past its answer) are scanned first. */
            scan(c, deliveries, &count, capacity, at);
            for (;;) {
                ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
                if (r > 0) {
                    c->len += (size_t)r;
                    scan(c, deliveries, &count, capacity, at);
                    continue;
                }
                if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                }
                break;
            }
        }
    }
    print_report(deliveries, count);
    return 0;
}
