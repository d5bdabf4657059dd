/*
 * What the compiled benchmark subscribers share (sse_client.c, ws_client.c): a loopback connection, writing
 * all of a buffer, the monotonic clock (CLOCK_MONOTONIC, the clock Python's perf_counter reads), an epoll
 * registration, and the report they print — one "title ns" line per delivery, then "cpu SECONDS" (the
 * process's own user+system time).
 */
#ifndef BENCH_CLIENT_H
#define BENCH_CLIENT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    long title;
    long long ns;
} Delivery;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); exit(2); }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); exit(2); }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void send_all(int fd, const void *data, size_t len) {
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n <= 0) { perror("write"); exit(2); }
        p += n;
        len -= (size_t)n;
    }
}

/* Makes fd non-blocking and adds it to the epoll set with `data` as its pointer. */
static void watch(int ep, int fd, void *data) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = data};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void print_report(const Delivery *deliveries, long count) {
    for (long i = 0; i < count; i++) printf("%ld %lld\n", deliveries[i].title, deliveries[i].ns);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("cpu %.6f\n", usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
                             usage.ru_stime.tv_usec / 1e6);
}

#endif
