/*
 * The simulated FreeBSD tools as a native program: the same client of the host server as
 * hooks/testing/client.py (read that module's docstring for the exchange), without starting a
 * Python interpreter for every command (~1 ms instead of ~15).
 *
 * One binary is copied to DIR/sbin/ifconfig, DIR/usr/sbin/jls, ...: the program's name is the
 * basename of its own path (/proc/self/exe) and DIR the directory above sbin, usr/sbin or usr/bin.
 * DIR/.server holds two lines, the Python interpreter and the repository root, which start a
 * server when none listens. Linux only (/proc/self/exe, SCM_RIGHTS, O_PATH); elsewhere
 * hooks.testing.store installs the Python client.
 *
 * Request: the 4-byte big-endian length, then marshal's encoding of (program, [args...],
 * has_stdin, has_cwd) as Python writes it for these types (Python/marshal.c: TYPE_TUPLE '(',
 * TYPE_LIST '[', TYPE_UNICODE 'u' with a 4-byte little-endian size, TYPE_TRUE 'T', TYPE_FALSE
 * 'F'); bytes that are not UTF-8 are sent as surrogates, as Python's os.fsdecode() gives them.
 * Answer: ACK, the length, then status (4 bytes, big-endian, signed), kill (1 byte), the length of
 * stdout (4 bytes), stdout, stderr (client.py encode_answer()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#define ACK 0x06
#define READY 0x01
#define EX_SOFTWARE 70
#define ATTEMPTS 8

static char program[NAME_MAX + 1];
static char directory[PATH_MAX];

struct buffer { unsigned char *data; size_t len, cap; };

static void put(struct buffer *b, const void *data, size_t n) {
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->data = realloc(b->data, b->cap);
        if (!b->data) { perror("realloc"); exit(EX_SOFTWARE); }
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

static void put_le32(struct buffer *b, uint32_t v) {
    unsigned char w[4] = {v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff};
    put(b, w, 4);
}

/* Length of a well-formed UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n) {
    size_t need;
    if (s[0] < 0x80) return 1;
    else if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2) need = 2;
    else if ((s[0] & 0xf0) == 0xe0) need = 3;
    else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4) need = 4;
    else return 0;
    if (need > n) return 0;
    for (size_t i = 1; i < need; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    if (need == 3 && s[0] == 0xe0 && s[1] < 0xa0) return 0;  /* overlong */
    if (need == 3 && s[0] == 0xed && s[1] >= 0xa0) return 0;  /* a surrogate */
    if (need == 4 && s[0] == 0xf0 && s[1] < 0x90) return 0;  /* overlong */
    if (need == 4 && s[0] == 0xf4 && s[1] >= 0x90) return 0;  /* past U+10FFFF */
    return need;
}

/* marshal TYPE_UNICODE: the string as UTF-8, undecodable bytes as surrogates (surrogateescape). */
static void put_str(struct buffer *b, const char *str) {
    struct buffer text = {0};
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    while (n) {
        size_t k = utf8_len(s, n);
        if (k) { put(&text, s, k); s += k; n -= k; continue; }
        unsigned cp = 0xdc00 + *s;
        unsigned char e[3] = {0xed, 0xa0 | ((cp >> 6) & 0x1f), 0x80 | (cp & 0x3f)};
        put(&text, e, 3);
        s++; n--;
    }
    put(b, "u", 1);
    put_le32(b, (uint32_t)text.len);
    if (text.len) put(b, text.data, text.len);
    free(text.data);
}

static void fail(const char *message) {
    dprintf(2, "%s: jailnet simulated host %s: %s\n", program, directory, message);
    exit(EX_SOFTWARE);
}

static void write_all(int fd, const unsigned char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; return; }  /* a closed stream loses it */
        p += w; n -= (size_t)w;
    }
}

/* Start ``python -P -m hooks.testing.server DIR --ready-fd N`` detached and wait for it. */
static void start_server(void) {
    char conf[PATH_MAX + 16], python[PATH_MAX], root[PATH_MAX];
    snprintf(conf, sizeof conf, "%s/.server", directory);
    FILE *f = fopen(conf, "r");
    if (!f || !fgets(python, sizeof python, f) || !fgets(root, sizeof root, f)) fail("cannot read .server");
    fclose(f);
    python[strcspn(python, "\n")] = 0;
    root[strcspn(root, "\n")] = 0;
    int pipefd[2];
    if (pipe(pipefd) < 0) fail(strerror(errno));
    pid_t pid = fork();
    if (pid < 0) fail(strerror(errno));
    if (pid == 0) {
        setsid();
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0); dup2(null, 1); dup2(null, 2);
        close(pipefd[0]);
        char ready[16], env[PATH_MAX + 16];
        snprintf(ready, sizeof ready, "%d", pipefd[1]);
        snprintf(env, sizeof env, "PYTHONPATH=%s", root);
        char *args[] = {python, "-P", "-m", "hooks.testing.server", directory, "--ready-fd", ready, NULL};
        char *envp[] = {env, NULL};
        execve(python, args, envp);
        _exit(127);
    }
    close(pipefd[1]);
    unsigned char byte = 0;
    ssize_t r;
    do r = read(pipefd[0], &byte, 1); while (r < 0 && errno == EINTR);
    close(pipefd[0]);
    if (r != 1 || byte != READY) fail("the host server did not start (try: python -m hooks.testing.server DIR)");
}

static uint32_t be32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

int main(int argc, char **argv) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) { fprintf(stderr, "jailnet simulated tool: cannot read /proc/self/exe\n"); return EX_SOFTWARE; }
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    snprintf(program, sizeof program, "%s", slash + 1);
    *slash = 0;
    const char *tails[] = {"/usr/sbin", "/usr/bin", "/sbin"};
    size_t len = strlen(exe);
    for (size_t i = 0; i < 3; i++) {
        size_t t = strlen(tails[i]);
        if (len > t && strcmp(exe + len - t, tails[i]) == 0) { exe[len - t] = 0; break; }
    }
    snprintf(directory, sizeof directory, "%s", exe);

    int fds[2], nfds = 0;
    struct stat st;
    int has_stdin = fstat(0, &st) == 0;
    if (has_stdin) fds[nfds++] = 0;
    int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cwd >= 0) fds[nfds++] = cwd;

    struct buffer payload = {0}, request = {0};
    put(&payload, "(", 1); put_le32(&payload, 4);
    put_str(&payload, program);
    put(&payload, "[", 1); put_le32(&payload, (uint32_t)(argc - 1));
    for (int i = 1; i < argc; i++) put_str(&payload, argv[i]);
    put(&payload, has_stdin ? "T" : "F", 1);
    put(&payload, cwd >= 0 ? "T" : "F", 1);
    unsigned char head[4] = {payload.len >> 24, (payload.len >> 16) & 0xff, (payload.len >> 8) & 0xff,
                             payload.len & 0xff};
    put(&request, head, 4);
    put(&request, payload.data, payload.len);

    if (chdir(directory) < 0) fail(strerror(errno));
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0) fail(strerror(errno));
        struct sockaddr_un address = {.sun_family = AF_UNIX};
        strcpy(address.sun_path, "host.sock");
        if (connect(sock, (struct sockaddr *)&address, sizeof address) < 0) {
            int e = errno;
            close(sock);
            if (e == ENOENT || e == ECONNREFUSED) { start_server(); continue; }
            fail(strerror(e));
        }
        struct iovec iov = {request.data, request.len};
        union { char buf[CMSG_SPACE(sizeof fds)]; struct cmsghdr align; } control;
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        if (nfds) {
            msg.msg_control = control.buf;
            msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
            struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
            memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
        }
        ssize_t sent = sendmsg(sock, &msg, MSG_NOSIGNAL);
        if (sent < 0) { close(sock); continue; }  /* dropped unread by a server on its way out */
        size_t off = (size_t)sent;
        while (off < request.len) {
            ssize_t w = send(sock, request.data + off, request.len - off, MSG_NOSIGNAL);
            if (w < 0) break;
            off += (size_t)w;
        }
        struct buffer reply = {0};
        unsigned char chunk[65536];
        for (;;) {
            ssize_t r = read(sock, chunk, sizeof chunk);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;  /* the end, or a reset */
            put(&reply, chunk, (size_t)r);
        }
        close(sock);
        if (reply.len < 1 || reply.data[0] != ACK) { free(reply.data); continue; }
        unsigned char *p = reply.data + 1;
        size_t left = reply.len - 1;
        if (left < 4 || be32(p) != left - 4 || left < 4 + 9)
            fail("the host server ended before answering (killed? see hooks/testing/server.py)");
        p += 4;
        int32_t status = (int32_t)be32(p);
        int kill_parent = p[4];
        uint32_t out_len = be32(p + 5);
        if (out_len > left - 13) fail("the host server ended before answering (killed? see hooks/testing/server.py)");
        write_all(1, p + 9, out_len);
        write_all(2, p + 9 + out_len, left - 13 - out_len);
        if (kill_parent) kill(getppid(), SIGKILL);  /* an injected crash: the caller dies here */
        return status;
    }
    char message[64];
    snprintf(message, sizeof message, "no host server took the command in %d attempts", ATTEMPTS);
    fail(message);
    return EX_SOFTWARE;
}
