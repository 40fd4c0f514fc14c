/*
 * A replay stub for the FreeBSD tools jailnet runs (ifconfig, route, pfctl, sysctl, jls, jexec,
 * uname), so that a benchmark measures jailnet and not a simulator: one exec, one small file
 * read, one append, well under a millisecond.
 *
 * The benchmark builds it once (cc -O2 -o DIR/stub stub.c) and links it under each tool's name in
 * a bin directory laid out as FreeBSD's (sbin/, usr/sbin/, usr/bin/). The hook's environment holds
 * only PATH and LC_ALL, so the recording cannot be named by an environment variable: the stub
 * finds "replay.db" in the directory of its own executable (readlink /proc/self/exe) or in one
 * of the directories above it.
 *
 * replay.db is a sequence of records, each an ASCII header "KEYLEN STATUS OUTLEN ERRLEN\n"
 * followed by KEYLEN bytes of key, OUTLEN bytes of stdout and ERRLEN bytes of stderr. The key is
 * the basename of argv[0] and then each argument, joined by 0x1f. A recorded argv gets its
 * recorded stdout, stderr and exit status; any other argv gets exit status 1 and
 * "stub: not recorded: ARGV" on stderr, so a benchmark never measures the wrong thing quietly.
 *
 * Every run appends its key and a newline to "spawns.log" beside replay.db, in one write(2) to a
 * descriptor opened with O_APPEND, so the benchmark can count the commands a hook ran.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DB_NAME "replay.db"
#define SPAWNS_NAME "spawns.log"
#define MAX_LEVELS 4
#define SEPARATOR '\x1f'

static void put(int fd, const char *data, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        data += n;
        size -= (size_t)n;
    }
}

static void say(const char *text)
{
    put(2, text, strlen(text));
}

static int die(const char *what, const char *detail)
{
    say("stub: ");
    say(what);
    if (detail != NULL) {
        say(": ");
        say(detail);
    }
    say("\n");
    return 1;
}

/* The key: basename(argv[0]), then each argument, separated by 0x1f; a newline follows it. */
static char *make_key(int argc, char **argv, size_t *length)
{
    const char *program = strrchr(argv[0], '/');
    size_t size, at;
    int i;
    char *key;

    program = program != NULL ? program + 1 : argv[0];
    size = strlen(program) + 1;
    for (i = 1; i < argc; i++)
        size += strlen(argv[i]) + 1;
    key = malloc(size);
    if (key == NULL)
        return NULL;
    at = strlen(program);
    memcpy(key, program, at);
    for (i = 1; i < argc; i++) {
        size_t n = strlen(argv[i]);
        key[at++] = SEPARATOR;
        memcpy(key + at, argv[i], n);
        at += n;
    }
    key[at] = '\n';
    *length = at;
    return key;
}

/* Open replay.db next to the executable or above it; leave its directory in dir. */
static int open_db(char *dir)
{
    ssize_t n = readlink("/proc/self/exe", dir, PATH_MAX - sizeof(DB_NAME) - 2);
    int level;

    if (n < 0)
        return -1;
    dir[n] = '\0';
    for (level = 0; level < MAX_LEVELS; level++) {
        char path[PATH_MAX];
        char *slash = strrchr(dir, '/');
        int fd;

        if (slash == NULL || slash == dir)
            return -1;
        *slash = '\0';
        memcpy(path, dir, (size_t)(slash - dir));
        memcpy(path + (slash - dir), "/" DB_NAME, sizeof("/" DB_NAME));
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            return fd;
    }
    return -1;
}

static char *read_all(int fd, size_t *size)
{
    struct stat st;
    size_t got = 0;
    char *data;

    if (fstat(fd, &st) != 0)
        return NULL;
    data = malloc((size_t)st.st_size + 1);
    if (data == NULL)
        return NULL;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    data[got] = '\0';
    *size = got;
    return data;
}

static void count(const char *dir, const char *key, size_t length)
{
    char path[PATH_MAX];
    size_t n = strlen(dir);
    int fd;

    memcpy(path, dir, n);
    memcpy(path + n, "/" SPAWNS_NAME, sizeof("/" SPAWNS_NAME));
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    put(fd, key, length + 1);
    close(fd);
}

/* One number of a record header, and the character after it (a space or the newline). */
static int number(const char **at, const char *end, long *value, char after)
{
    char *stop;

    if (*at >= end)
        return -1;
    errno = 0;
    *value = strtol(*at, &stop, 10);
    if (errno != 0 || stop == *at || stop >= end || *stop != after)
        return -1;
    *at = stop + 1;
    return 0;
}

int main(int argc, char **argv)
{
    char dir[PATH_MAX];
    size_t length, size, i;
    const char *at, *end;
    char *key, *db;
    int fd;

    if (argc < 1)
        return die("no argv[0]", NULL);
    key = make_key(argc, argv, &length);
    if (key == NULL)
        return die("out of memory", NULL);
    fd = open_db(dir);
    if (fd < 0)
        return die("no " DB_NAME " beside the executable or above it", NULL);
    db = read_all(fd, &size);
    close(fd);
    if (db == NULL)
        return die("cannot read " DB_NAME, strerror(errno));
    count(dir, key, length);
    at = db;
    end = db + size;
    while (at < end) {
        long keylen, status, outlen, errlen;

        if (number(&at, end, &keylen, ' ') || number(&at, end, &status, ' ') ||
            number(&at, end, &outlen, ' ') || number(&at, end, &errlen, '\n') ||
            keylen < 0 || outlen < 0 || errlen < 0 || end - at < keylen + outlen + errlen)
            return die("damaged " DB_NAME, NULL);
        if ((size_t)keylen == length && memcmp(at, key, length) == 0) {
            put(1, at + keylen, (size_t)outlen);
            put(2, at + keylen + outlen, (size_t)errlen);
            return (int)status;
        }
        at += keylen + outlen + errlen;
    }
    for (i = 0; i < length; i++)
        if (key[i] == SEPARATOR)
            key[i] = ' ';
    key[length] = '\0';
    return die("not recorded", key);
}
