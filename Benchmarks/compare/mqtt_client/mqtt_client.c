/*
 * A compiled MQTT 3.1.1 load generator for the broker benchmark (Benchmarks/compare/mqtt.py), so the client is
 * not what is measured. One process, one thread, epoll; packets are written by hand (CONNECT, SUBSCRIBE,
 * PUBLISH QoS 0/1, PUBACK), no library.
 *
 *   mqtt_client flow PORT QOS PUBLISHERS MESSAGES_PER_PUBLISHER SUBSCRIBERS RATE PAYLOAD_BYTES DEADLINE_SECONDS
 *   mqtt_client idle PORT CONNECTIONS DEADLINE_SECONDS
 *
 * flow: connects SUBSCRIBERS clients subscribed to one topic at QOS and waits for every SUBACK, connects
 * PUBLISHERS clients and waits for every CONNACK, then publishes MESSAGES_PER_PUBLISHER messages from each at QOS
 * — as fast as the sockets take them (RATE 0), or RATE messages/s in total spread over the publishers. A QoS 1
 * publisher keeps at most WINDOW messages unacknowledged; QoS 1 deliveries are acknowledged. Every payload starts
 * with the CLOCK_MONOTONIC time it was written at, so each delivery's latency is known. It stops when every
 * subscriber has every message, when nothing arrived for IDLE_SECONDS after the last publish (a broker may drop
 * QoS 0 messages), or at the deadline, and prints "key value" lines: sent, acked, expected, delivered,
 * elapsed_s (first publish to last delivery), p50_ms, p99_ms, max_ms, cpu_s (its own user+system time).
 *
 * idle: opens CONNECTIONS clients (keep-alive off), at most BATCH connecting at once, prints "ready" when every
 * CONNACK is in (or "failed N reason" and exits), then holds them until a line or EOF arrives on stdin or the
 * deadline passes, and prints cpu_s. Loopback only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TOPIC "bench/mqtt"
#define WINDOW 20
#define IDLE_SECONDS 2.0
#define BATCH 200
#define IN_SIZE (1 << 16)
#define OUT_SIZE (1 << 16)

enum { PUBLISHER, SUBSCRIBER, IDLE };

typedef struct {
    int fd, role, index;
    int ready;                 /* CONNACK (and SUBACK for a subscriber) received */
    unsigned char *in, *out;   /* IN_SIZE / OUT_SIZE bytes; an idle connection's are small */
    size_t in_cap, in_len, out_cap, out_len;
    int want_out;              /* EPOLLOUT registered */
    long sent, acked, delivered;
} Conn;

static int epfd;
static int qos_level;
static size_t payload_bytes;
static long long *latencies;
static long latency_count, latency_capacity;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Ends the run, saying what failed. */
static void fail(const char *what) {
    fprintf(stderr, "mqtt_client: %s\n", what);
    exit(2);
}

/* Ends the run after a system call failed, with errno's meaning. */
static void fail_sys(const char *call) {
    fprintf(stderr, "mqtt_client: %s: %s\n", call, strerror(errno));
    exit(2);
}

static double own_cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

/* ---------------------------------------------------------------- packets */

static size_t put_remaining_length(unsigned char *p, size_t n) {
    size_t i = 0;
    do {
        unsigned char b = n % 128;
        n /= 128;
        p[i++] = n ? (b | 0x80) : b;
    } while (n);
    return i;
}

static size_t put_string(unsigned char *p, const char *s) {
    size_t n = strlen(s);
    p[0] = (unsigned char)(n >> 8);
    p[1] = (unsigned char)n;
    memcpy(p + 2, s, n);
    return n + 2;
}

/* A packet: fixed header byte, remaining length, then the body. Answers its size. */
static size_t frame(unsigned char *out, unsigned char first, const unsigned char *body, size_t len) {
    size_t h = 0;
    out[h++] = first;
    h += put_remaining_length(out + h, len);
    memcpy(out + h, body, len);
    return h + len;
}

static size_t connect_packet(unsigned char *out, const char *client_id) {
    unsigned char body[128];
    size_t b = put_string(body, "MQTT");
    body[b++] = 4;    /* 3.1.1 */
    body[b++] = 0x02; /* clean session */
    body[b++] = 0;    /* keep-alive 0: off */
    body[b++] = 0;
    b += put_string(body + b, client_id);
    return frame(out, 0x10, body, b);
}

static size_t subscribe_packet(unsigned char *out, int qos) {
    unsigned char body[64];
    size_t b = 0;
    body[b++] = 0;
    body[b++] = 1; /* packet identifier 1 */
    b += put_string(body + b, TOPIC);
    body[b++] = (unsigned char)qos;
    return frame(out, 0x82, body, b);
}

/* PUBLISH of TOPIC whose payload opens with the send time (8 bytes, host order: read back by this process). */
static size_t publish_packet(unsigned char *out, int qos, unsigned short id, long long at) {
    unsigned char body[64 + 4096];
    size_t b = put_string(body, TOPIC);
    if (qos) {
        body[b++] = (unsigned char)(id >> 8);
        body[b++] = (unsigned char)id;
    }
    memset(body + b, 'x', payload_bytes);
    memcpy(body + b, &at, sizeof at);
    b += payload_bytes;
    return frame(out, (unsigned char)(0x30 | (qos << 1)), body, b);
}

/* ---------------------------------------------------------------- sockets */

static void watch(Conn *c) {
    struct epoll_event ev = {.events = EPOLLIN | (c->want_out ? EPOLLOUT : 0), .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) fail_sys("epoll_ctl");
}

static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) fail_sys("socket");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0 && errno != EINPROGRESS) fail_sys("connect");
    return fd;
}

/* Writes what the socket takes of the output buffer; asks for EPOLLOUT while some is left. */
static void flush(Conn *c) {
    size_t done = 0;
    while (done < c->out_len) {
        ssize_t n = write(c->fd, c->out + done, c->out_len - done);
        if (n > 0) { done += (size_t)n; continue; }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN)) break;
        if (n < 0 && errno == EINTR) continue;
        fail_sys("write");
    }
    memmove(c->out, c->out + done, c->out_len - done);
    c->out_len -= done;
    int want = c->out_len > 0;
    if (want != c->want_out) {
        c->want_out = want;
        watch(c);
    }
}

static void queue(Conn *c, const unsigned char *p, size_t n) {
    if (c->out_len + n > c->out_cap) fail("output buffer full");
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
}

static Conn *open_conn(int port, int role, int index) {
    Conn *c = calloc(1, sizeof(Conn));
    if (!c) fail("out of memory");
    c->in_cap = role == IDLE ? 256 : IN_SIZE;
    c->out_cap = role == IDLE ? 256 : OUT_SIZE;
    c->in = malloc(c->in_cap);
    c->out = malloc(c->out_cap);
    if (!c->in || !c->out) fail("out of memory");
    c->fd = dial(port);
    c->role = role;
    c->index = index;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) fail_sys("epoll_ctl add");
    char id[64];
    snprintf(id, sizeof id, "bench-%d-%d-%d", (int)getpid(), role, index);
    unsigned char p[128];
    queue(c, p, connect_packet(p, id));
    flush(c);
    return c;
}

/* ---------------------------------------------------------------- reading */

/* Handles one complete packet from the broker. */
static void on_packet(Conn *c, unsigned char first, const unsigned char *body, size_t len, long long at) {
    int type = first >> 4;
    if (type == 2) { /* CONNACK */
        if (len < 2 || body[1] != 0) { fprintf(stderr, "mqtt_client: CONNACK refused (%d)\n", len >= 2 ? body[1] : -1); exit(2); }
        if (c->role == SUBSCRIBER) {
            unsigned char p[64];
            queue(c, p, subscribe_packet(p, qos_level));
            flush(c);
        } else {
            c->ready = 1;
        }
    } else if (type == 9) { /* SUBACK */
        if (len < 3 || body[2] == 0x80) { fprintf(stderr, "mqtt_client: SUBACK refused\n"); exit(2); }
        c->ready = 1;
    } else if (type == 4) { /* PUBACK */
        c->acked++;
    } else if (type == 3) { /* PUBLISH */
        int qos = (first >> 1) & 3;
        if (len < 2) fail("short PUBLISH");
        size_t topic_len = ((size_t)body[0] << 8) | body[1];
        size_t off = 2 + topic_len;
        if (len < off + (qos ? 2 : 0)) fail("short PUBLISH");
        unsigned short id = 0;
        if (qos) {
            id = (unsigned short)((body[off] << 8) | body[off + 1]);
            off += 2;
        }
        if (len >= off + 8) {
            long long sent_at;
            memcpy(&sent_at, body + off, sizeof sent_at);
            if (latency_count < latency_capacity) latencies[latency_count++] = at - sent_at;
        }
        c->delivered++;
        if (qos == 1) {
            unsigned char ack[4] = {0x40, 2, (unsigned char)(id >> 8), (unsigned char)id};
            queue(c, ack, sizeof ack);
        }
    }
}

/* Reads what is there and handles every complete packet; answers 0 when the broker closed the connection. */
static int drain(Conn *c, long long *last_delivery) {
    for (;;) {
        ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
        if (n == 0) return 0;
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            return 0;
        }
        c->in_len += (size_t)n;
        long long at = now_ns();
        size_t pos = 0;
        for (;;) {
            size_t avail = c->in_len - pos, rl = 0, h = 1;
            if (avail < 2) break;
            int mult = 1, complete = 0;
            for (; h < avail && h <= 4; h++) {
                rl += (size_t)(c->in[pos + h] & 0x7f) * (size_t)mult;
                mult *= 128;
                if (!(c->in[pos + h] & 0x80)) { complete = 1; h++; break; }
            }
            if (!complete) break;
            if (h + rl > c->in_cap) fail("packet larger than the buffer");
            if (avail < h + rl) break;
            long before = c->delivered;
            on_packet(c, c->in[pos], c->in + pos + h, rl, at);
            if (c->delivered != before) *last_delivery = at;
            pos += h + rl;
        }
        memmove(c->in, c->in + pos, c->in_len - pos);
        c->in_len -= pos;
        /* Acknowledgements pile up while reading: send them before the buffer could fill, and while the socket
           will not take them, stop reading (epoll reports the rest of the input again). */
        if (c->out_len > c->out_cap / 2) {
            flush(c);
            if (c->out_len > c->out_cap / 2) return 1;
        }
    }
    if (c->out_len) flush(c);
    return 1;
}

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static double percentile_ms(double p) {
    if (latency_count == 0) return -1;
    long i = (long)(p * (double)latency_count);
    if (i >= latency_count) i = latency_count - 1;
    return latencies[i] / 1e6;
}

/* Runs epoll once (timeout in ms); answers the number of events handled. */
static int poll_once(int timeout_ms, long long *last_delivery) {
    struct epoll_event events[512];
    int n = epoll_wait(epfd, events, 512, timeout_ms);
    if (n < 0 && errno != EINTR) fail_sys("epoll_wait");
    for (int i = 0; i < n; i++) {
        Conn *c = events[i].data.ptr;
        if (events[i].events & EPOLLOUT) flush(c);
        if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
            if (!drain(c, last_delivery)) {
                fprintf(stderr, "mqtt_client: the broker closed connection %d/%d\n", c->role, c->index);
                exit(2);
            }
        }
    }
    return n;
}

/* ---------------------------------------------------------------- flow */

static int flow(int argc, char **argv) {
    if (argc != 10) {
        fprintf(stderr, "usage: %s flow PORT QOS PUBLISHERS MESSAGES_PER_PUBLISHER SUBSCRIBERS RATE PAYLOAD_BYTES "
                        "DEADLINE_SECONDS\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[2]);
    qos_level = atoi(argv[3]);
    int publishers = atoi(argv[4]);
    long per_publisher = atol(argv[5]);
    int subscribers = atoi(argv[6]);
    double rate = atof(argv[7]);
    payload_bytes = (size_t)atol(argv[8]);
    double deadline_s = atof(argv[9]);
    if (qos_level < 0 || qos_level > 1 || publishers < 1 || subscribers < 1 || per_publisher < 1 ||
        payload_bytes < 8 || payload_bytes > 4096)
        fail("bad arguments (QOS 0 or 1, counts from 1, PAYLOAD_BYTES 8 to 4096)");
    long long deadline = now_ns() + (long long)(deadline_s * 1e9), last_delivery = 0;
    long expected = (long)publishers * per_publisher * subscribers;
    latency_capacity = expected;
    latencies = malloc(sizeof(long long) * (size_t)expected);
    if (!latencies) fail("out of memory");

    Conn **subs = calloc((size_t)subscribers, sizeof(Conn *)), **pubs = calloc((size_t)publishers, sizeof(Conn *));
    for (int i = 0; i < subscribers; i++) subs[i] = open_conn(port, SUBSCRIBER, i);
    for (int i = 0; i < publishers; i++) pubs[i] = open_conn(port, PUBLISHER, i);
    for (;;) {
        int ready = 0;
        for (int i = 0; i < subscribers; i++) ready += subs[i]->ready;
        for (int i = 0; i < publishers; i++) ready += pubs[i]->ready;
        if (ready == subscribers + publishers) break;
        if (now_ns() > deadline) fail("deadline passed while connecting");
        poll_once(100, &last_delivery);
    }

    long long start = now_ns(), last_publish = start;
    long total_sent = 0, total = (long)publishers * per_publisher;
    long delivered = 0;
    unsigned char packet[64 + 4096 + 8];
    for (;;) {
        long long now = now_ns();
        /* How many messages may have gone by now, in total (paced) or without limit. */
        long allowed = rate > 0 ? (long)((double)(now - start) / 1e9 * rate) + 1 : total;
        if (allowed > total) allowed = total;
        for (int i = 0; i < publishers && total_sent < allowed; i++) {
            Conn *c = pubs[i];
            /* Round-robin share: publisher i sends messages i, i+P, i+2P… of the total sequence. */
            while (c->sent < per_publisher && total_sent < allowed && c->out_len + sizeof packet <= c->out_cap &&
                   (qos_level == 0 || c->sent - c->acked < WINDOW)) {
                if (rate > 0 && c->sent * publishers + i >= allowed) break;
                unsigned short id = (unsigned short)(c->sent % 65535 + 1);
                queue(c, packet, publish_packet(packet, qos_level, id, now_ns()));
                c->sent++;
                total_sent++;
                last_publish = now_ns();
            }
            if (c->out_len) flush(c);
        }
        delivered = 0;
        for (int i = 0; i < subscribers; i++) delivered += subs[i]->delivered;
        long acked = 0;
        for (int i = 0; i < publishers; i++) acked += pubs[i]->acked;
        int publishing_done = total_sent == total && (qos_level == 0 || acked == total);
        if (delivered >= expected && publishing_done) break;
        now = now_ns();
        if (now > deadline) break;
        long long quiet_since = last_delivery > last_publish ? last_delivery : last_publish;
        if (publishing_done && now - quiet_since > (long long)(IDLE_SECONDS * 1e9)) break;
        /* Otherwise wait for a delivery, an ack or writability — or, when paced, for the next message's turn. */
        int timeout = 100;
        if (rate > 0 && total_sent < total) {
            long long next_due = start + (long long)((double)total_sent / rate * 1e9);
            /* Rounded up: the send time is stamped when the message is written, so pacing late by under a
               millisecond costs the measurement nothing, where spinning would cost the client CPU. */
            long long wait = (next_due - now + 999999) / 1000000;
            timeout = wait < 0 ? 0 : (int)(wait > 100 ? 100 : wait);
        }
        poll_once(timeout, &last_delivery);
    }
    long acked = 0;
    for (int i = 0; i < publishers; i++) acked += pubs[i]->acked;
    qsort(latencies, (size_t)latency_count, sizeof(long long), cmp_ll);
    double elapsed = last_delivery > start ? (last_delivery - start) / 1e9 : 0;
    printf("sent %ld\nacked %ld\nexpected %ld\ndelivered %ld\nelapsed_s %.6f\n", total_sent, acked, expected,
           delivered, elapsed);
    printf("p50_ms %.4f\np99_ms %.4f\nmax_ms %.4f\ncpu_s %.6f\n", percentile_ms(0.50), percentile_ms(0.99),
           percentile_ms(1.0), own_cpu_seconds());
    return 0;
}

/* ---------------------------------------------------------------- idle */

static int idle(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s idle PORT CONNECTIONS DEADLINE_SECONDS\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[2]);
    int connections = atoi(argv[3]);
    long long deadline = now_ns() + (long long)(atof(argv[4]) * 1e9), unused = 0;
    Conn **conns = calloc((size_t)connections, sizeof(Conn *));
    int opened = 0;
    for (;;) {
        int ready = 0;
        for (int i = 0; i < opened; i++) ready += conns[i]->ready;
        if (ready == connections) break;
        while (opened < connections && opened - ready < BATCH) {
            conns[opened] = open_conn(port, IDLE, opened);
            opened++;
        }
        if (now_ns() > deadline) {
            printf("failed %d of %d connected before the deadline\n", ready, connections);
            return 1;
        }
        poll_once(100, &unused);
    }
    printf("ready\n");
    fflush(stdout);
    /* Hold until the benchmark says so (a line or EOF on stdin), answering nothing meanwhile. */
    struct pollfd in = {.fd = 0, .events = POLLIN};
    while (now_ns() < deadline) {
        if (poll(&in, 1, 100) > 0) break;
        poll_once(0, &unused);
    }
    printf("cpu_s %.6f\n", own_cpu_seconds());
    return 0;
}

int main(int argc, char **argv) {
    epfd = epoll_create1(0);
    if (epfd < 0) fail_sys("epoll_create1");
    if (argc >= 2 && strcmp(argv[1], "flow") == 0) return flow(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "idle") == 0) return idle(argc, argv);
    fprintf(stderr, "usage: %s flow|idle …\n", argv[0]);
    return 2;
}
