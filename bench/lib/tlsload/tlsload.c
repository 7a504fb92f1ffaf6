/*
 * tlsload: a load client that makes a new TLS connection, with a handshake, for every request.
 *
 *   tlsload [-r] HOST PORT NAME PATH CONNECTIONS SECONDS [TIMEOUT_SECONDS]
 *
 * Without -r every handshake is FULL (no session resumption); with -r every handshake after a slot's first is a
 * RESUMPTION (TLS 1.3: PSK with a key exchange) with the newest ticket the server sent on that slot's previous
 * connection (tickets are single-use, as RFC 8446 asks of clients).
 * HOST is the IPv4 address to connect to (the harness always passes 127.0.0.1), NAME the SNI and Host header.
 * CONNECTIONS slots each loop: TCP connect (TCP_NODELAY), a new SSL object (without -r: session cache off, no
 * tickets, never SSL_set_session, so no handshake can be a resumption; with -r: SSL_set_session with the slot's
 * ticket; key exchange X25519 only, so every library and server agree on it; ALPN http/1.1; no certificate
 * verification: the bench certificate is self-signed), `GET PATH HTTP/1.1` with `Connection: close`, read until the
 * response is complete
 * (Content-Length) or EOF, check the status is 200, record the latency (TCP connect start -> response complete),
 * close, start again. Single-threaded, non-blocking, epoll. Stops by itself after SECONDS (connections still in
 * flight then are dropped, as wrk does). TIMEOUT_SECONDS (default 5) bounds each connection.
 *
 * At the end it prints (stdout), like bench/lib/wrk/bench.lua's done():
 *   BENCHJSON {"requests":..,"duration_us":..,"bytes":..,"connect_errors":..,...,"mean_us":..}
 *   TLSINFO {"handshakes":..,"resumed":..,"protocol":"TLSv1.3","cipher":..,"alpn":..,"group":..,...}
 * connect_errors counts failed TCP connects and failed TLS handshakes (as wrk does).
 *
 * Build: cc -O2 -Wall -Wextra -o tlsload tlsload.c -lssl -lcrypto (OpenSSL). It builds against BoringSSL too
 * (OPENSSL_IS_BORINGSSL): the harness links it with the BoringSSL objects of Gatehouse's release build.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
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

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define MAX_CONNECTIONS 10000
#define HEAD_CAP 8192          /* response head (status line + headers) kept per connection */
#define READ_CAP 16384         /* one TLS record's plaintext at most */
#define MAX_STEPS 256          /* state-machine steps (or reads) per wake-up of one connection */
#define MAX_EVENTS 256
#define RETRY_AFTER_ERROR_US 10000
#define MAX_MESSAGES 5         /* error messages printed per kind */

/* ---------- latency histogram: log-linear, microseconds, < 1 % relative error ---------- */

#define SUB_BITS 7
#define SUB (1u << SUB_BITS)   /* 128 exact buckets, then 64 per power of two */
#define HALF (SUB / 2)
#define MAX_MSB 40             /* values up to 2^41 us (25 days) */
#define BUCKETS (SUB + (MAX_MSB - SUB_BITS + 1) * HALF)

static uint64_t hist[BUCKETS];
static uint64_t hist_count, hist_max;
static double hist_sum;

static unsigned bucket_of(uint64_t v) {
    if (v < SUB) return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    if (msb > MAX_MSB) return BUCKETS - 1;
    unsigned shift = msb - (SUB_BITS - 1);        /* >= 1; v >> shift is in [HALF, SUB) */
    return SUB + (shift - 1) * HALF + (unsigned)((v >> shift) - HALF);
}

static uint64_t bucket_value(unsigned index) {     /* the middle of the bucket */
    if (index < SUB) return index;
    unsigned shift = (index - SUB) / HALF + 1;
    uint64_t top = (index - SUB) % HALF + HALF;
    return (top << shift) + ((1ull << shift) - 1) / 2;
}

static void hist_record(uint64_t us) {
    hist[bucket_of(us)]++;
    hist_count++;
    hist_sum += (double)us;
    if (us > hist_max) hist_max = us;
}

static uint64_t hist_percentile(double p) {
    if (hist_count == 0) return 0;
    uint64_t rank = (uint64_t)(p / 100.0 * (double)hist_count + 0.999999);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < BUCKETS; i++) {
        seen += hist[i];
        if (seen >= rank) {
            uint64_t v = bucket_value(i);
            return v > hist_max ? hist_max : v;
        }
    }
    return hist_max;
}

/* ---------- state ---------- */

enum state { S_IDLE, S_CONNECTING, S_HANDSHAKE, S_WRITING, S_READING };

struct conn {
    int fd;
    SSL *ssl;
    SSL_SESSION *session;       /* -r: the ticket for the slot's next connection (NULL: none yet) */
    enum state st;
    uint32_t events;            /* current epoll interest (0: not registered) */
    uint64_t start_us, deadline_us, retry_at_us;
    size_t head_len;
    int head_done;
    int status;
    long long content_length;   /* -1: unknown (read until EOF) */
    long long body_read;
    char head[HEAD_CAP];
};

static struct {
    uint64_t requests, bytes, connect_errors, read_errors, write_errors, status_errors, timeouts;
    uint64_t handshakes, resumed;
} stats;

static struct {
    int captured;
    char protocol[32], cipher[64], alpn[32], group[32], server_key[48], signature[48];
} info;

static int epfd = -1;
static int resume;              /* -r */
static SSL_CTX *ctx;
static struct sockaddr_in target;
static const char *sni;
static char request[4096];
static size_t request_len;
static uint64_t timeout_us;
static unsigned messages[4];    /* per kind: connect, handshake, read, write */

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Prints the first few errors of a kind (with OpenSSL's queue when there is one), then stays quiet. */
static void complain(unsigned kind, const char *what, int sys_errno) {
    if (messages[kind] >= MAX_MESSAGES) {
        ERR_clear_error();
        return;
    }
    messages[kind]++;
    char text[256] = "";
    unsigned long code = ERR_get_error();
    if (code != 0) {
        ERR_error_string_n(code, text, sizeof text);
    } else if (sys_errno != 0) {
        snprintf(text, sizeof text, "%s", strerror(sys_errno));
    } else {
        snprintf(text, sizeof text, "connection closed by peer");
    }
    fprintf(stderr, "tlsload: %s: %s%s\n", what, text,
            messages[kind] == MAX_MESSAGES ? " (further errors of this kind not shown)" : "");
    ERR_clear_error();
}

static void set_interest(struct conn *c, uint32_t events) {
    if (c->events == events) return;
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(epfd, c->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev) != 0) {
        perror("tlsload: epoll_ctl");
        exit(1);
    }
    c->events = events;
}

/* Ends the connection; `ok` when the response was complete (then close_notify is sent, as wrk does). */
static void finish(struct conn *c, int ok, uint64_t now) {
    if (c->ssl) {
        if (ok) SSL_shutdown(c->ssl);   /* non-blocking: sends close_notify if it can, never waits */
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    ERR_clear_error();
    if (c->fd >= 0) close(c->fd);       /* also removes it from the epoll set */
    c->fd = -1;
    c->events = 0;
    c->st = S_IDLE;
    c->retry_at_us = ok ? now : now + RETRY_AFTER_ERROR_US;
}

/* After an SSL call that returned r <= 0: waits for the socket when OpenSSL asks to; otherwise counts the failure in
 * *errors, reports it (message kind `kind`) and ends the connection. */
static void wait_or_fail(struct conn *c, int r, uint64_t *errors, unsigned kind, const char *what) {
    int e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ) { set_interest(c, EPOLLIN); return; }
    if (e == SSL_ERROR_WANT_WRITE) { set_interest(c, EPOLLOUT); return; }
    (*errors)++;
    complain(kind, what, e == SSL_ERROR_SYSCALL ? errno : 0);
    finish(c, 0, now_us());
}

static void capture_info(SSL *ssl) {
    info.captured = 1;
    snprintf(info.protocol, sizeof info.protocol, "%s", SSL_get_version(ssl));
    const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
    snprintf(info.cipher, sizeof info.cipher, "%s", cipher ? SSL_CIPHER_get_name(cipher) : "?");
    const unsigned char *alpn = NULL;
    unsigned alpn_len = 0;
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
    snprintf(info.alpn, sizeof info.alpn, "%.*s", (int)alpn_len, alpn ? (const char *)alpn : "");
#if defined(OPENSSL_IS_BORINGSSL)
    const char *group_name = SSL_get_group_name(SSL_get_group_id(ssl));
    snprintf(info.group, sizeof info.group, "%s", group_name ? group_name : "?");
#elif defined(SSL_get_negotiated_group)
    int group = (int)SSL_get_negotiated_group(ssl);
    const char *group_name = group > 0 ? OBJ_nid2sn(group) : NULL;
    snprintf(info.group, sizeof info.group, "%s", group_name ? group_name : "?");
#else
    snprintf(info.group, sizeof info.group, "?");
#endif
#if defined(OPENSSL_IS_BORINGSSL)
    const char *sig_name = SSL_get_signature_algorithm_name(SSL_get_peer_signature_algorithm(ssl), 0);
    snprintf(info.signature, sizeof info.signature, "%s", sig_name ? sig_name : "?");
#else
    int sig_type = 0, digest = 0;
    SSL_get_peer_signature_type_nid(ssl, &sig_type);
    SSL_get_peer_signature_nid(ssl, &digest);
    const char *sig_name = sig_type == EVP_PKEY_EC ? "ECDSA" : sig_type == EVP_PKEY_RSA_PSS ? "RSA-PSS"
                         : sig_type == EVP_PKEY_RSA ? "RSA-PKCS1" : sig_type > 0 ? OBJ_nid2sn(sig_type) : NULL;
    const char *digest_name = digest > 0 ? OBJ_nid2sn(digest) : NULL;
    snprintf(info.signature, sizeof info.signature, "%s%s%s", sig_name ? sig_name : "?", digest_name ? "+" : "",
             digest_name ? digest_name : "");
#endif
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    X509 *cert = SSL_get1_peer_certificate(ssl);
#else
    X509 *cert = SSL_get_peer_certificate(ssl);
#endif
    snprintf(info.server_key, sizeof info.server_key, "?");
    if (cert) {
        EVP_PKEY *key = X509_get0_pubkey(cert);
        if (key) {
            int type = EVP_PKEY_base_id(key);
            const char *name = type == EVP_PKEY_RSA ? "RSA" : type == EVP_PKEY_EC ? "EC" : OBJ_nid2sn(type);
            snprintf(info.server_key, sizeof info.server_key, "%s %d", name ? name : "?", EVP_PKEY_bits(key));
        }
        X509_free(cert);
    }
}

/* -r: a ticket the server sent (TLS 1.3: after the handshake, read with the response) becomes the slot's next
 * session; the slot keeps the reference. */
static int remember_session(SSL *ssl, SSL_SESSION *session) {
    struct conn *c = SSL_get_app_data(ssl);
    if (!c) return 0;
    if (c->session) SSL_SESSION_free(c->session);
    c->session = session;
    return 1;
}

/* The response head is complete in c->head[0..end): status and Content-Length. */
static int parse_head(struct conn *c, size_t end) {
    const char *h = c->head;
    if (end < 12 || strncmp(h, "HTTP/1.", 7) != 0 || h[8] != ' ') return -1;
    if (h[9] < '0' || h[9] > '9' || h[10] < '0' || h[10] > '9' || h[11] < '0' || h[11] > '9') return -1;
    c->status = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
    c->content_length = -1;
    const char *line = memchr(h, '\n', end);
    while (line && (size_t)(line + 1 - h) < end) {
        line++;
        size_t left = end - (size_t)(line - h);
        if (left > 15 && strncasecmp(line, "content-length:", 15) == 0) {
            const char *p = line + 15;
            while (*p == ' ' || *p == '\t') p++;
            char *stop = NULL;
            long long value = strtoll(p, &stop, 10);
            if (stop == p || value < 0) return -1;
            c->content_length = value;
        }
        line = memchr(line, '\n', left);
    }
    return 0;
}

/* Takes n bytes of plaintext; returns 1 when the response is complete, 0 for more, -1 on a malformed response. */
static int take(struct conn *c, const char *data, size_t n) {
    stats.bytes += n;
    if (c->head_done) {
        c->body_read += (long long)n;
    } else {
        size_t room = HEAD_CAP - 1 - c->head_len;
        size_t copy = n < room ? n : room;
        size_t from = c->head_len > 3 ? c->head_len - 3 : 0;
        memcpy(c->head + c->head_len, data, copy);
        c->head_len += copy;
        c->head[c->head_len] = '\0';
        char *end = strstr(c->head + from, "\r\n\r\n");
        if (!end) {
            return c->head_len >= HEAD_CAP - 1 ? -1 : 0;
        }
        size_t head_end = (size_t)(end - c->head) + 4;
        if (parse_head(c, head_end) != 0) return -1;
        c->head_done = 1;
        c->body_read = (long long)(c->head_len - head_end) + (long long)(n - copy);
    }
    return c->content_length >= 0 && c->body_read >= c->content_length;
}

static void complete(struct conn *c, uint64_t now) {
    stats.requests++;
    if (c->status != 200) stats.status_errors++;
    hist_record(now - c->start_us);
    finish(c, 1, now);
}

static void start(struct conn *c, uint64_t now);

/* Advances one connection as far as it goes without blocking. */
static void drive(struct conn *c) {
    static char buffer[READ_CAP];
    for (int step = 0; step < MAX_STEPS; step++) {
        switch (c->st) {
        case S_IDLE:
            return;
        case S_CONNECTING: {
            int err = 0;
            socklen_t len = sizeof err;
            if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
            if (err == EINPROGRESS || err == EALREADY) return;
            if (err != 0) {
                stats.connect_errors++;
                complain(0, "connect", err);
                finish(c, 0, now_us());
                return;
            }
            c->st = S_HANDSHAKE;
            break;
        }
        case S_HANDSHAKE: {
            if (!c->ssl) {
                c->ssl = SSL_new(ctx);
                if (!c->ssl || !SSL_set_fd(c->ssl, c->fd) || !SSL_set_tlsext_host_name(c->ssl, sni)) {
                    fprintf(stderr, "tlsload: cannot set up an SSL object\n");
                    ERR_print_errors_fp(stderr);
                    exit(1);
                }
                SSL_set_connect_state(c->ssl);
                SSL_set_app_data(c->ssl, c);
                if (resume && c->session && !SSL_set_session(c->ssl, c->session)) {
                    fprintf(stderr, "tlsload: cannot set the session to resume\n");
                    exit(1);
                }
            }
            ERR_clear_error();
            int r = SSL_connect(c->ssl);
            if (r == 1) {
                stats.handshakes++;
                if (SSL_session_reused(c->ssl)) stats.resumed++;
                if (!info.captured) capture_info(c->ssl);
                c->st = S_WRITING;
                break;
            }
            wait_or_fail(c, r, &stats.connect_errors, 1, "TLS handshake");
            return;
        }
        case S_WRITING: {
            ERR_clear_error();
            int r = SSL_write(c->ssl, request, (int)request_len);   /* partial writes are off: all or nothing */
            if (r > 0) {
                c->st = S_READING;
                set_interest(c, EPOLLIN);
                break;
            }
            wait_or_fail(c, r, &stats.write_errors, 3, "write");
            return;
        }
        case S_READING: {
            ERR_clear_error();
            int r = SSL_read(c->ssl, buffer, sizeof buffer);
            if (r > 0) {
                int done = take(c, buffer, (size_t)r);
                if (done < 0) {
                    stats.read_errors++;
                    complain(2, "read", EPROTO);
                    finish(c, 0, now_us());
                    return;
                }
                if (done > 0) {
                    uint64_t now = now_us();
                    complete(c, now);
                    start(c, now);
                    return;
                }
                break;
            }
            int e = SSL_get_error(c->ssl, r);
            if (e == SSL_ERROR_WANT_READ) { set_interest(c, EPOLLIN); return; }
            if (e == SSL_ERROR_WANT_WRITE) { set_interest(c, EPOLLOUT); return; }
            if (e == SSL_ERROR_ZERO_RETURN && c->head_done && c->content_length < 0) {
                uint64_t now = now_us();   /* no Content-Length: the response ends at EOF */
                complete(c, now);
                start(c, now);
                return;
            }
            stats.read_errors++;
            complain(2, c->head_done ? "read (response cut short)" : "read (no response)",
                     e == SSL_ERROR_SYSCALL ? errno : 0);
            finish(c, 0, now_us());
            return;
        }
        }
    }
    /* Step budget used up; level-triggered epoll brings this connection back while its socket has data. */
}

/* Starts a new connection on an idle slot. */
static void start(struct conn *c, uint64_t now) {
    c->ssl = NULL;
    c->events = 0;
    c->head_len = 0;
    c->head_done = 0;
    c->status = 0;
    c->content_length = -1;
    c->body_read = 0;
    c->start_us = now;
    c->deadline_us = now + timeout_us;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        stats.connect_errors++;
        complain(0, "socket", errno);
        finish(c, 0, now);
        return;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&target, sizeof target) == 0 || errno == EINPROGRESS) {
        c->st = S_CONNECTING;   /* connected or not: the handshake starts on the first EPOLLOUT (no recursion) */
        set_interest(c, EPOLLOUT);
    } else {
        stats.connect_errors++;
        complain(0, "connect", errno);
        finish(c, 0, now);
    }
}

static int parse_number(const char *text, double min, double max, double *out) {
    char *stop = NULL;
    errno = 0;
    double v = strtod(text, &stop);
    if (errno != 0 || stop == text || *stop != '\0' || !(v >= min && v <= max)) return -1;
    *out = v;
    return 0;
}

static void usage(const char *problem) {
    if (problem) fprintf(stderr, "tlsload: %s\n", problem);
    fprintf(stderr,
            "usage: tlsload [-r] HOST PORT NAME PATH CONNECTIONS SECONDS [TIMEOUT_SECONDS]\n"
            "  -r: resume each slot's session (TLS 1.3 tickets); without it every handshake is full\n"
            "  HOST: IPv4 address to connect to (127.0.0.1); NAME: SNI and Host header; PATH: starts with /\n"
            "  CONNECTIONS: 1-%d; SECONDS: 0.1-3600 (the run stops by itself); TIMEOUT_SECONDS per connection "
            "(default 5)\n", MAX_CONNECTIONS);
    exit(2);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "-r") == 0) {
        resume = 1;
        argv++;
        argc--;
    }
    if (argc != 7 && argc != 8) usage(argc == 1 ? NULL : "wrong number of arguments");
    double port, connections, seconds, timeout = 5;
    memset(&target, 0, sizeof target);
    target.sin_family = AF_INET;
    if (inet_pton(AF_INET, argv[1], &target.sin_addr) != 1) usage("HOST must be an IPv4 address");
    if (parse_number(argv[2], 1, 65535, &port) != 0 || port != (int)port) usage("PORT must be 1-65535");
    target.sin_port = htons((uint16_t)port);
    sni = argv[3];
    if (strlen(sni) == 0 || strlen(sni) > 253 || strpbrk(sni, " \r\n")) usage("NAME must be a host name");
    const char *path = argv[4];
    if (path[0] != '/' || strlen(path) > 2048 || strpbrk(path, " \r\n")) usage("PATH must start with / (no spaces)");
    if (parse_number(argv[5], 1, MAX_CONNECTIONS, &connections) != 0 || connections != (int)connections)
        usage("CONNECTIONS out of range");
    if (parse_number(argv[6], 0.1, 3600, &seconds) != 0) usage("SECONDS must be 0.1-3600");
    if (argc == 8 && parse_number(argv[7], 0.001, 3600, &timeout) != 0) usage("TIMEOUT_SECONDS must be 0.001-3600");
    timeout_us = (uint64_t)(timeout * 1e6);
    int n = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, sni);
    if (n <= 0 || (size_t)n >= sizeof request) usage("request too long");
    request_len = (size_t)n;

    int count = (int)connections;
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < (rlim_t)count + 64) {
        limit.rlim_cur = limit.rlim_max < (rlim_t)count + 64 ? limit.rlim_max : (rlim_t)count + 64;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    signal(SIGPIPE, SIG_IGN);

    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (resume) {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        SSL_CTX_sess_set_new_cb(ctx, remember_session);
    } else {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);   /* with no SSL_set_session: every handshake is full */
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    }
    if (SSL_CTX_set1_groups_list(ctx, "X25519") != 1) {
        fprintf(stderr, "tlsload: cannot set the key exchange group\n");
        return 1;
    }
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);   /* EOF without close_notify ends a response too */
#endif
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);            /* self-signed bench certificate */
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    static const unsigned char alpn[] = "\x08http/1.1";
    if (SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn - 1) != 0) {
        fprintf(stderr, "tlsload: cannot set ALPN\n");
        return 1;
    }

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) {
        perror("tlsload: epoll_create1");
        return 1;
    }
    struct conn *conns = calloc((size_t)count, sizeof *conns);
    if (!conns) {
        fprintf(stderr, "tlsload: out of memory\n");
        return 1;
    }

    uint64_t begin = now_us();
    uint64_t end = begin + (uint64_t)(seconds * 1e6);
    for (int i = 0; i < count; i++) {
        conns[i].fd = -1;
        start(&conns[i], now_us());
    }

    struct epoll_event events[MAX_EVENTS];
    uint64_t now = now_us();
    uint64_t last_scan = now;
    while (now < end) {
        uint64_t wait_us = end - now;
        if (wait_us > 10000) wait_us = 10000;               /* timeouts and retries are checked every 10 ms */
        int ready = epoll_wait(epfd, events, MAX_EVENTS, (int)((wait_us + 999) / 1000));
        if (ready < 0 && errno != EINTR) {
            perror("tlsload: epoll_wait");
            return 1;
        }
        for (int i = 0; i < ready; i++) drive((struct conn *)events[i].data.ptr);
        now = now_us();
        if (now - last_scan >= 10000 || ready <= 0) {
            last_scan = now;
            for (int i = 0; i < count && now < end; i++) {
                struct conn *c = &conns[i];
                if (c->st != S_IDLE && now >= c->deadline_us) {
                    stats.timeouts++;
                    finish(c, 0, now);
                }
                if (c->st == S_IDLE && now >= c->retry_at_us) start(c, now);
            }
        }
        now = now_us();
    }
    uint64_t duration = now - begin;
    for (int i = 0; i < count; i++) {
        if (conns[i].st != S_IDLE) finish(&conns[i], 0, now);   /* in flight at the end: dropped, not counted */
        if (conns[i].session) SSL_SESSION_free(conns[i].session);
    }

    printf("BENCHJSON {\"requests\":%llu,\"duration_us\":%llu,\"bytes\":%llu,\"connect_errors\":%llu,"
           "\"read_errors\":%llu,\"write_errors\":%llu,\"status_errors\":%llu,\"timeouts\":%llu,\"p50_us\":%llu,"
           "\"p90_us\":%llu,\"p99_us\":%llu,\"p999_us\":%llu,\"max_us\":%llu,\"mean_us\":%.1f}\n",
           (unsigned long long)stats.requests, (unsigned long long)duration, (unsigned long long)stats.bytes,
           (unsigned long long)stats.connect_errors, (unsigned long long)stats.read_errors,
           (unsigned long long)stats.write_errors, (unsigned long long)stats.status_errors,
           (unsigned long long)stats.timeouts, (unsigned long long)hist_percentile(50),
           (unsigned long long)hist_percentile(90), (unsigned long long)hist_percentile(99),
           (unsigned long long)hist_percentile(99.9), (unsigned long long)hist_max,
           hist_count ? hist_sum / (double)hist_count : 0.0);
    printf("TLSINFO {\"handshakes\":%llu,\"resumed\":%llu,\"protocol\":\"%s\",\"cipher\":\"%s\",\"alpn\":\"%s\","
           "\"group\":\"%s\",\"server_key\":\"%s\",\"signature\":\"%s\",\"library\":\"%s\"}\n",
           (unsigned long long)stats.handshakes, (unsigned long long)stats.resumed,
           info.captured ? info.protocol : "", info.captured ? info.cipher : "", info.captured ? info.alpn : "",
           info.captured ? info.group : "", info.captured ? info.server_key : "", info.captured ? info.signature : "",
           OpenSSL_version(OPENSSL_VERSION));
    free(conns);
    SSL_CTX_free(ctx);
    close(epfd);
    return 0;
}
