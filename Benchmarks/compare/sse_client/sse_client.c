/*
 * A compiled SSE subscriber for the realtime fan-out benchmark, so the client is not what is measured.
 *
 *   sse_client PORT TOPIC CONNECTIONS EXPECTED_PER_CONNECTION DEADLINE_SECONDS
 *
 * Opens CONNECTIONS PocketBase-style realtime streams (GET /api/realtime), subscribes each to TOPIC
 * (POST /api/realtime {clientId, subscriptions}), prints "ready", then reads every stream with epoll and
 * timestamps each record event (CLOCK_MONOTONIC, the clock Python's perf_counter reads) by the record's
 * "title". When every connection has its events or the deadline passes, it prints one "title ns" line per
 * delivery and a last "cpu SECONDS" line (its own user+system time). Loopback only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "../bench_client.h"

typedef struct {
    int fd;
    char buf[65536];
    size_t len;
    long received;
} Conn;

/* Reads the stream until its first `id:` line and copies the client id. */
static void read_client_id(Conn *c, char *id, size_t size) {
    for (;;) {
        char *line = memmem(c->buf, c->len, "\nid:", 4);
        if (line) {
            char *end = memchr(line + 4, '\n', c->len - (size_t)(line + 4 - c->buf));
            if (end) {
                size_t n = (size_t)(end - (line + 4));
                if (n >= size) n = size - 1;
                memcpy(id, line + 4, n);
                id[n] = 0;
                /* keep what follows the connect event for the event loop */
                char *rest = memmem(end, c->len - (size_t)(end - c->buf), "\n\n", 2);
                size_t from = rest ? (size_t)(rest + 2 - c->buf) : c->len;
                memmove(c->buf, c->buf + from, c->len - from);
                c->len -= from;
                return;
            }
        }
        ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
        if (n <= 0) { fprintf(stderr, "stream closed before its client id\n"); exit(2); }
        c->len += (size_t)n;
    }
}

static void subscribe(int port, const char *id, const char *topic) {
    char body[512], request[1024], reply[1024];
    int blen = snprintf(body, sizeof body, "{\"clientId\":\"%s\",\"subscriptions\":[\"%s\"]}", id, topic);
    int rlen = snprintf(request, sizeof request,
                        "POST /api/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        "Content-Length: %d\r\nConnection: close\r\n\r\n%s", blen, body);
    int fd = dial(port);
    send_all(fd, request, (size_t)rlen);
    ssize_t n = read(fd, reply, sizeof reply - 1);
    if (n < 12 || strncmp(reply + 9, "204", 3) != 0) {
        reply[n > 0 ? n : 0] = 0;
        fprintf(stderr, "subscribe failed: %s\n", reply);
        exit(2);
    }
    close(fd);
}

/* Records every `"title":"N"` of the complete lines in the buffer; keeps a partial last line. */
static void scan(Conn *c, Delivery *out, long *count, long capacity, long long at) {
    size_t start = 0;
    for (;;) {
        char *nl = memchr(c->buf + start, '\n', c->len - start);
        if (!nl) break;
        size_t end = (size_t)(nl - c->buf);
        if (end - start > 5 && memcmp(c->buf + start, "data:", 5) == 0) {
            char *t = memmem(c->buf + start, end - start, "\"title\":\"", 9);
            if (t && *count < capacity) {
                out[*count].title = strtol(t + 9, NULL, 10);
                out[*count].ns = at;
                (*count)++;
                c->received++;
            }
        }
        start = end + 1;
    }
    memmove(c->buf, c->buf + start, c->len - start);
    c->len -= start;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s PORT TOPIC CONNECTIONS EXPECTED_PER_CONNECTION DEADLINE_SECONDS\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    const char *topic = argv[2];
    int connections = atoi(argv[3]);
    long expected = atol(argv[4]);
    double deadline_s = atof(argv[5]);
    Conn *conns = calloc((size_t)connections, sizeof(Conn));
    long capacity = (long)connections * expected;
    Delivery *deliveries = calloc((size_t)(capacity > 0 ? capacity : 1), sizeof(Delivery));
    int ep = epoll_create1(0);
    const char *get = "GET /api/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
    for (int i = 0; i < connections; i++) {
        Conn *c = &conns[i];
        c->fd = dial(port);
        send_all(c->fd, get, strlen(get));
        char id[256];
        read_client_id(c, id, sizeof id);
        subscribe(port, id, topic);
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
            for (;;) {
                ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
                if (r > 0) {
                    c->len += (size_t)r;
                    scan(c, deliveries, &count, capacity, at);
                    if (c->len == sizeof c->buf) c->len = 0; /* a line longer than the buffer: drop it */
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
