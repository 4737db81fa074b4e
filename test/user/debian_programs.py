#!/usr/bin/env python3
"""Real Debian programs under a user-mode emulator, their output compared
with the amd64 build of the same Debian version run natively.

usage: debian_programs.py --emulator 'CMD [OPTIONS]' [--cache DIR] SCENARIO...

The riscv64 programs run as CMD OPTIONS -L ROOT ROOT/usr/bin/PROG (ROOT a
Debian 13 riscv64 tree, debian_trees.py, cached in --cache, by default
build/debian-cache/user), the amd64 ones natively. Each scenario writes its
input here (generated, the same every run), runs both builds in folders of
their own and compares what they print and write:

  busybox    busybox sh -c running a script (loops, pipes, subshells,
             command substitution) over sed, awk, sort, uniq, wc, md5sum,
             tr, cut, grep on generated text; its applets are run by
             execve of /proc/self/exe
  coreutils  sort (plain, numeric key, unique) of a generated text,
             sha256sum (also checked against Python's hashlib), ls -ln of a
             folder made here with fixed modes, sizes and mtimes
  python     python3 running a pure-Python script written here (dicts,
             classes, string formatting, a prime sieve, a json round trip)
  xz         xz -6 -T2 of a generated 4 MiB file under the emulator and
             natively: the same bytes; each build decompresses the other's
  zstd       the same with zstd -12
  sqlite3    sqlite3 running SQL written here (a table, 10000 inserts in a
             transaction, an index, aggregates, a join, a recursive CTE,
             update, delete, integrity_check); each build also reads the
             database file the other wrote
  perl       perl (perl-base) running a script written here (regexes,
             hashes, sprintf, sort, file I/O in a temporary folder, fork
             and waitpid, pipe opens of busybox from the same tree)
  gcc        riscv64 gcc (its driver execs cc1, as, collect2 and ld, all
             riscv64 programs) compiling two .c files and a header at -O2
             and linking them, under the emulator; the program then runs
             under the emulator and its output is compared with the same
             sources built by the host's gcc (no amd64 tree); gcc -v must
             name riscv64-linux-gnu as its target
  all        every one of these

perl and gcc use trees of their own (TREES), so that the shared tree of
the others stays as it was; gcc's has no amd64 side.

Prints each scenario's times (riscv64 under CMD, native). Exit status
0 = every scenario passed, 1 = a difference or failure, 77 = no
mmdebstrap or network (skip; a failure when CI is set).
Python standard library only.
"""
import argparse
import hashlib
import os
import random
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time

import debian_trees
from debian_trees import Runner

TIMEOUT = 300  # seconds, one program run


class Failure(Exception):
    pass


# --- Generated inputs (the same bytes every run) -------------------------

def words(rng, n):
    return ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
            for _ in range(n)]


def text_lines(seed, nlines):
    """Lines of 'word word NUMBER word...' text, newline-terminated."""
    rng = random.Random(seed)
    vocab = words(rng, 2000)
    out = []
    for i in range(nlines):
        ws = [rng.choice(vocab) for _ in range(rng.randint(1, 8))]
        ws.insert(min(2, len(ws)), str(rng.randint(0, 99999)))
        out.append(" ".join(ws))
    return ("\n".join(out) + "\n").encode()


def compressible_data(seed, size):
    """`size` bytes: text-like runs with random binary pieces between."""
    rng = random.Random(seed)
    vocab = words(rng, 3000)
    out = bytearray()
    while len(out) < size:
        if rng.random() < 0.05:
            out += rng.randbytes(64)
        else:
            out += (" ".join(rng.choice(vocab) for _ in range(12)) + "\n").encode()
    return bytes(out[:size])


BUSYBOX_SCRIPT = r"""
set -e
n=0; total=0
while [ $n -lt 300 ]; do total=$((total + n * n % 7)); n=$((n + 1)); done
echo "loop total $total"
for f in a b c d; do (mkdir -p dir_$f && cd dir_$f && echo "$f$f$f" > file && cat file); done
echo "subshells: $(cat dir_*/file | tr -d '\n')"
sed -n 's/^\([a-z]*\) \([a-z]*\).*/\2 \1/p' data.txt | sort | uniq -c | sort -k1,1nr -k2 | head -n 5
awk '{ words += NF; chars += length($0) } END { printf "awk %d %d %d\n", NR, words, chars }' data.txt
sort -t ' ' -k2,2 -k1,1 data.txt | md5sum
echo "wc $(wc -l < data.txt) $(wc -w < data.txt) $(wc -c < data.txt)"
md5sum data.bin data.txt
grep -c '^[aeiou]' data.txt
i=0; while [ $i -lt 40 ]; do echo "$i" | awk '{print $1 * 3}' >> nums; i=$((i + 1)); done
md5sum nums
cat data.txt | tr 'a-z' 'A-Z' | cut -c1-10 | sort -u | wc -l
printf '%s\n' one two three | while read w; do echo "${#w}:$w"; done
case "$(echo abc | sed s/b/B/)" in aBc) echo "case ok";; *) echo "case bad";; esac
x=$(ls dir_a dir_b | wc -l); echo "ls $x"
echo done
"""

PYTHON_SCRIPT = r'''
import json
import sys


class Account:
    def __init__(self, name, balance):
        self.name, self.balance, self.history = name, balance, []

    def move(self, amount, other):
        self.balance -= amount
        other.balance += amount
        self.history.append(("out", amount, other.name))
        other.history.append(("in", amount, self.name))

    def __repr__(self):
        return f"Account({self.name!r}, {self.balance:.2f}, {len(self.history)} moves)"


def sieve(n):
    is_prime = bytearray([1]) * (n + 1)
    is_prime[0] = is_prime[1] = 0
    for i in range(2, int(n ** 0.5) + 1):
        if is_prime[i]:
            is_prime[i * i::i] = bytearray(len(range(i * i, n + 1, i)))
    return [i for i in range(n + 1) if is_prime[i]]


def lcg(seed):
    while True:
        seed = (seed * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        yield seed >> 33


def main(scale):
    rng = lcg(42)
    accounts = {f"acct{i:03d}": Account(f"acct{i:03d}", 1000.0) for i in range(200)}
    names = sorted(accounts)
    for _ in range(20000 * scale):
        a, b = names[next(rng) % 200], names[next(rng) % 200]
        if a != b:
            accounts[a].move((next(rng) % 10000) / 100, accounts[b])
    richest = max(accounts.values(), key=lambda x: (x.balance, x.name))
    total = sum(x.balance for x in accounts.values())
    print(f"richest {richest!r} total {total:.2f}")

    primes = sieve(200000 * scale)
    print("primes", len(primes), primes[-3:], sum(primes) % 1000003)

    counts = {}
    text = " ".join(str(next(rng) % 5000) for _ in range(30000 * scale))
    for w in text.split():
        counts[w] = counts.get(w, 0) + 1
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    print("top words", top)

    doc = {"accounts": {n: {"balance": round(a.balance, 2), "moves": len(a.history),
                            "last": a.history[-1] if a.history else None}
                        for n, a in accounts.items()},
           "primes": primes[:100], "nested": [[i, {"sq": i * i, "s": "x" * (i % 7)}]
                                             for i in range(500)]}
    s = json.dumps(doc, sort_keys=True, indent=1)
    back = json.loads(s)
    assert back == json.loads(json.dumps(back)), "json round trip"
    print("json", len(s), sum(v["moves"] for v in back["accounts"].values()))
    fib = [0, 1]
    for _ in range(300):
        fib.append(fib[-1] + fib[-2])
    print("fib300 %d digits, ends %s" % (len(str(fib[-1])), str(fib[-1])[-12:]))
    print("python ok")


main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
'''


PERL_SCRIPT = r'''use strict;
use warnings;
use File::Temp qw(tempdir);
use File::Spec;
use List::Util qw(sum max first);
use POSIX qw(floor);

my $busybox = shift @ARGV or die "usage: script.pl BUSYBOX\n";
my $seed = 12345;
sub rnd { $seed = ($seed * 1103515245 + 12345) % 2147483648; return $seed >> 8; }

# Words, hashes, sort.
my @letters = ('a' .. 'z');
my @words = map { join '', map { $letters[rnd() % 26] } 1 .. (2 + rnd() % 7) } 1 .. 20000;
my %count;
$count{$_}++ for @words;
my @top = (sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count)[0 .. 4];
printf "words %d distinct %d top %s\n", scalar @words, scalar keys %count,
    join(',', map { "$_=$count{$_}" } @top);
my @bylen = sort { length($a) <=> length($b) or $b cmp $a } keys %count;
print "shortest $bylen[0] longest $bylen[-1]\n";
my %bylast;
push @{ $bylast{ substr($_, -1) } }, $_ for keys %count;
print join(' ', map { "$_:" . scalar @{ $bylast{$_} } } sort keys %bylast), "\n";

# Regexes: captures, global matches, substitution with /e, named groups, tr.
my $text = join ' ', @words[0 .. 2999];
my @vowelly = $text =~ /\b([aeiou]\w*[aeiou])\b/g;
print "vowel-bounded ", scalar @vowelly, " first $vowelly[0]\n";
(my $swapped = $text) =~ s/\b(\w)(\w*)(\w)\b/$3$2$1/g;
print "swapped ", substr($swapped, 0, 60), "\n";
(my $lens = substr($text, 0, 200)) =~ s/(\w+)/length($1)/ge;
print "lengths $lens\n";
my $date = "2024-02-29T13:45:07Z";
if ($date =~ /^(?<y>\d{4})-(?<m>\d\d)-(?<d>\d\d)T(?<H>\d\d):(?<M>\d\d)/) {
    print "date $+{d}/$+{m}/$+{y} $+{H}h$+{M}\n";
}
(my $upper = $text) =~ tr/a-z/A-Z/;
my $nvowels = ($text =~ tr/aeiou//);
print "vowels $nvowels upper ", substr($upper, 0, 30), "\n";
my @fields = split /\s*[,;]\s*/, "alpha , beta;gamma ,delta;; epsilon";
print "split ", join('|', @fields), "\n";

# sprintf and numbers.
printf "%-8s|%8.3f|%+05d|%x|%o|%e|%s\n", "left", 3.14159265, 42, 255, 8, 12345.678, 1e21;
my $fact = 1;
$fact *= $_ for 1 .. 20;
printf "20! %d sum %d floor %d %.10g\n", $fact, sum(1 .. 1000), floor(-2.5), sqrt(2);
my @squares = map { $_ * $_ } grep { $_ % 3 == 0 } 1 .. 30;
print "squares @squares max ", max(@squares), " first>100 ", (first { $_ > 100 } @squares), "\n";

# File I/O in a temporary folder.
my $dir = tempdir(CLEANUP => 1);
my $path = File::Spec->catfile($dir, "data.txt");
open my $out, '>', $path or die "open $path: $!";
printf $out "%05d %s\n", $_, $words[$_] for 0 .. 4999;
close $out or die;
open my $in, '<', $path or die;
my ($lines, $bytes, %firsts) = (0, 0);
while (my $l = <$in>) {
    $lines++;
    $bytes += length $l;
    $firsts{ substr((split ' ', $l)[1], 0, 1) }++;
}
close $in;
printf "file lines %d bytes %d size %d a=%d z=%d\n", $lines, $bytes, -s $path,
    $firsts{a}, $firsts{z};
open my $app, '>>', $path or die;
print $app "appended\n";
close $app;
open $in, '<', $path or die;
my @all = <$in>;
close $in;
print "last line $all[-1]";
rename $path, "$path.old" or die;
opendir my $dh, $dir or die;
print "dir ", join(',', sort grep { !/^\./ } readdir $dh), "\n";
closedir $dh;
unlink "$path.old" or die;

# fork and wait: the child writes a file and exits with a status.
my $child_file = File::Spec->catfile($dir, "child.txt");
my $pid = fork;
die "fork: $!" unless defined $pid;
if ($pid == 0) {
    open my $c, '>', $child_file or POSIX::_exit(1);
    print $c "from child ", sum(map { ord } split //, "hello"), "\n";
    close $c;
    POSIX::_exit(7);
}
waitpid($pid, 0) == $pid or die "waitpid: $!";
open $in, '<', $child_file or die;
my $got = <$in>;
close $in;
printf "child status %d said %s", $? >> 8, $got;

# Pipe opens: busybox programs, one fed through a file.
open my $p, '-|', $busybox, 'echo', 'through', 'a', 'pipe' or die "pipe: $!";
my $piped = <$p>;
close $p or die "close pipe: $! $?";
print "pipe: $piped";
my $sorted = File::Spec->catfile($dir, "sortme.txt");
open $out, '>', $sorted or die;
print $out "$_\n" for @words[0 .. 999];
close $out;
open $p, '-|', $busybox, 'sort', '-u', $sorted or die;
my @s = <$p>;
close $p or die;
my @mine = do { my %s; grep { !$s{$_}++ } sort @words[0 .. 999] };
printf "busybox sort -u %d lines, perl agrees: %s\n", scalar @s,
    (join('', @s) eq join('', map { "$_\n" } @mine)) ? "yes" : "no";
open $p, '-|', $busybox, 'sh', '-c', 'exit 3' or die;
close $p;
printf "pipe exit %d\n", $? >> 8;
print "perl ok\n";
'''

# The gcc scenario's program: a header and two C files.
GCC_SOURCES = {
    "stats.h": r'''/* A small multi-file program for the gcc scenario: statistics over
 * generated numbers, a hash table of words and a sort. */
#ifndef STATS_H
#define STATS_H
#include <stddef.h>
#include <stdint.h>

struct summary {
	double mean, stddev;
	int64_t min, max, median;
};

uint64_t next_random(uint64_t *state);
void summarize(int64_t *values, size_t n, struct summary *out);
size_t count_distinct(const char *const *words, size_t n, const char **most, size_t *most_count);
#endif
''',
    "stats.c": r'''/* The statistics and the hash table of stats.h. */
#include "stats.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t next_random(uint64_t *state)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return *state >> 33;
}

static int compare(const void *a, const void *b)
{
	const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

void summarize(int64_t *values, size_t n, struct summary *out)
{
	double sum = 0, sq = 0;
	qsort(values, n, sizeof(*values), compare);
	for (size_t i = 0; i < n; i++) {
		sum += (double)values[i];
		sq += (double)values[i] * (double)values[i];
	}
	out->mean = sum / (double)n;
	out->stddev = sqrt(sq / (double)n - out->mean * out->mean);
	out->min = values[0];
	out->max = values[n - 1];
	out->median = values[n / 2];
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

size_t count_distinct(const char *const *words, size_t n, const char **most, size_t *most_count)
{
	size_t size = 1;
	while (size < 2 * n)
		size *= 2;
	const char **keys = calloc(size, sizeof(*keys));
	size_t *counts = calloc(size, sizeof(*counts)), distinct = 0;
	*most_count = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = hash(words[i]) & (size - 1);
		while (keys[j] && strcmp(keys[j], words[i]) != 0)
			j = (j + 1) & (size - 1);
		if (!keys[j]) {
			keys[j] = words[i];
			distinct++;
		}
		if (++counts[j] > *most_count || (counts[j] == *most_count && strcmp(keys[j], *most) < 0)) {
			*most_count = counts[j];
			*most = keys[j];
		}
	}
	free(keys);
	free(counts);
	return distinct;
}
''',
    "main.c": r'''/* The gcc scenario's program: prints statistics of generated data. */
#include "stats.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	const size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	uint64_t state = 42;
	int64_t *values = malloc(n * sizeof(*values));
	char *text = malloc(n * 8);
	const char **words = malloc(n * sizeof(*words));
	for (size_t i = 0; i < n; i++)
		values[i] = (int64_t)(next_random(&state) % 2000001) - 1000000;
	struct summary s;
	summarize(values, n, &s);
	printf("n %zu mean %.4f stddev %.4f min %" PRId64 " max %" PRId64 " median %" PRId64 "\n", n,
	       s.mean, s.stddev, s.min, s.max, s.median);
	char *p = text;
	for (size_t i = 0; i < n; i++) {
		const int len = 2 + (int)(next_random(&state) % 3);
		words[i] = p;
		for (int k = 0; k < len; k++)
			*p++ = (char)('a' + next_random(&state) % 12);
		*p++ = 0;
	}
	const char *most = NULL;
	size_t most_count;
	const size_t distinct = count_distinct(words, n, &most, &most_count);
	printf("words %zu distinct %zu most %s x%zu\n", n, distinct, most, most_count);
	uint64_t h = 0;
	for (size_t i = 0; i < n; i += 997)
		h = h * 31 + (uint64_t)values[i];
	printf("checksum %016" PRIx64 "\n", h);
	free(values);
	free(text);
	free(words);
	return 0;
}
''',
}


def sqlite_script(rows):
    rng = random.Random(3)
    vocab = words(rng, 500)
    lines = ["CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, grp INTEGER, val REAL);",
             "BEGIN;"]
    for i in range(1, rows + 1):
        name = f"{rng.choice(vocab)}-{rng.choice(vocab)}"
        lines.append(f"INSERT INTO t VALUES({i}, '{name}', {rng.randint(0, 19)}, "
                     f"{rng.randint(0, 1000000) / 1000});")
    lines += [
        "COMMIT;",
        "CREATE INDEX t_grp ON t(grp);",
        "SELECT count(*), sum(grp), printf('%.3f', sum(val)) FROM t;",
        "SELECT grp, count(*), min(name), max(name), printf('%.2f', avg(val)) FROM t "
        "GROUP BY grp ORDER BY grp;",
        "SELECT id, name, val FROM t WHERE val > 990 ORDER BY val DESC, id LIMIT 5;",
        # Unary + keeps the planner off t_grp (which would make it quadratic).
        "SELECT a.grp, count(*) FROM t a JOIN t b ON b.id = a.id + 1 WHERE +a.grp = +b.grp "
        "GROUP BY a.grp ORDER BY 2 DESC, 1 LIMIT 3;",
        "SELECT substr(name, 1, 1) AS c, count(*) FROM t GROUP BY c ORDER BY c;",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) "
        "SELECT sum(x * x) FROM c;",
        "UPDATE t SET val = val * 2 WHERE grp = 3;",
        "DELETE FROM t WHERE id % 10 = 0;",
        "SELECT count(*), printf('%.3f', sum(val)) FROM t;",
        "PRAGMA integrity_check;",
    ]
    return "\n".join(lines) + "\n"


SQLITE_CHECK = "SELECT count(*), printf('%.3f', sum(val)), max(name) FROM t;\n"


# --- Running both builds --------------------------------------------------

def command(prog, args):
    """PROG ARGS for a message (a long script argument cut short)."""
    text = shlex.join([prog] + list(args))
    return text if len(text) < 200 else text[:200].replace("\n", " ") + "..."


class Context:
    def __init__(self, rv, native, work):
        self.rv, self.native, self.work = rv, native, work
        self.times = {}  # (scenario, side) -> seconds

    def folder(self, name):
        d = os.path.join(self.work, name)
        os.makedirs(d, exist_ok=True)
        return d

    def run(self, scenario, runner, prog, args, cwd, stdin=None, env=None, stderr_out=False):
        """Runs PROG of `runner` in `cwd`; its stdout (bytes), followed by its
        stderr if `stderr_out`. A nonzero exit is a failure. The time adds
        to the scenario's for that side."""
        full_env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "TZ": "UTC0", "HOME": cwd}
        full_env.update(env or {})
        argv = runner.argv(prog, args)
        t0 = time.monotonic()
        try:
            p = subprocess.run(argv, cwd=cwd, input=stdin, env=full_env, capture_output=True,
                               timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Failure(f"{runner.name()}: {command(prog, args)} took over {TIMEOUT} s")
        dt = time.monotonic() - t0
        side = "riscv64" if runner is self.rv else "native"
        self.times[(scenario, side)] = self.times.get((scenario, side), 0) + dt
        if p.returncode != 0:
            raise Failure(f"{runner.name()}: {command(prog, args)} exited with "
                          f"{p.returncode}\nstderr: {p.stderr.decode(errors='replace')[-2000:]}")
        return p.stdout + p.stderr if stderr_out else p.stdout

    def both(self, scenario, prog, args, inputs, stdin=None, env=None):
        """Runs PROG ARGS with each build in a fresh folder holding `inputs`
        (name -> bytes); returns (riscv64 stdout, native stdout, rv folder,
        native folder)."""
        outs, dirs = [], []
        for side, runner in (("riscv64", self.rv), ("native", self.native)):
            d = self.folder(f"{scenario}-{side}")
            for name, data in inputs.items():
                with open(os.path.join(d, name), "wb") as f:
                    f.write(data)
            outs.append(self.run(scenario, runner, prog, args, d, stdin, env))
            dirs.append(d)
        return outs[0], outs[1], dirs[0], dirs[1]


def same(what, rv, native):
    if rv != native:
        a, b = rv.decode(errors="replace"), native.decode(errors="replace")
        al, bl = a.splitlines(), b.splitlines()
        for i, (x, y) in enumerate(zip(al, bl)):
            if x != y:
                raise Failure(f"{what}: riscv64 and native differ at line {i + 1}:\n"
                              f"  riscv64: {x[:300]}\n  native:  {y[:300]}")
        raise Failure(f"{what}: riscv64 printed {len(rv)} bytes ({len(al)} lines), "
                      f"native {len(native)} ({len(bl)} lines)")


def expect(cond, what):
    if not cond:
        raise Failure(what)


# --- Scenarios --------------------------------------------------------------

def scenario_busybox(ctx):
    inputs = {"data.txt": text_lines(1, 20000), "data.bin": random.Random(2).randbytes(1 << 18)}
    # PATH leads nowhere: every command is a busybox applet, run by
    # execve("/proc/self/exe") or in a forked copy.
    rv, native, _, _ = ctx.both("busybox", "busybox", ["sh", "-c", BUSYBOX_SCRIPT], inputs,
                                env={"PATH": "/nonexistent"})
    same("busybox sh script", rv, native)
    expect(native.endswith(b"\ncase ok\nls 5\ndone\n"), f"native output ends {native[-60:]!r}")
    want_md5 = hashlib.md5(inputs["data.bin"]).hexdigest()
    expect(f"{want_md5}  data.bin".encode() in rv, "md5sum of data.bin is not hashlib's")


def scenario_coreutils(ctx):
    text = text_lines(4, 100000)
    data = compressible_data(5, 4 << 20)
    inputs = {"data.txt": text, "data.bin": data}
    for args in (["data.txt"], ["-n", "-k", "3,3", "-k", "1,1", "data.txt"],
                 ["-u", "-k", "2", "data.txt"]):
        rv, native, _, _ = ctx.both("coreutils", "sort", args, inputs)
        same("sort " + " ".join(args), rv, native)
        expect(len(rv) > 1000, f"sort {args} printed only {len(rv)} bytes")
    lines = text.splitlines(keepends=True)
    expect(rv != b"" and ctx.run("coreutils", ctx.rv, "sort", ["data.txt"],
                                 ctx.folder("coreutils-riscv64")) == b"".join(sorted(lines)),
           "sort data.txt differs from Python's sorted()")

    rv, native, _, _ = ctx.both("coreutils", "sha256sum", ["data.bin", "data.txt"], inputs)
    same("sha256sum", rv, native)
    want = (f"{hashlib.sha256(data).hexdigest()}  data.bin\n"
            f"{hashlib.sha256(text).hexdigest()}  data.txt\n").encode()
    expect(rv == want, f"sha256sum printed {rv!r}, hashlib says {want!r}")

    # A folder with fixed modes, sizes and times, listed by both builds.
    d = ctx.folder("listing")
    entries = [("README", 0o644, 1234), ("run.sh", 0o755, 77), ("secret", 0o600, 0),
               ("ro-file", 0o444, 4096), ("big.dat", 0o640, 1 << 20), ("Zed", 0o664, 5)]
    for i, (name, mode, size) in enumerate(entries):
        p = os.path.join(d, name)
        with open(p, "wb") as f:
            f.write(b"x" * size)
        os.chmod(p, mode)
        os.utime(p, (1000000000 + i * 86400, 1000000000 + i * 86400))
    sub = os.path.join(d, "subdir")
    os.makedirs(sub, exist_ok=True)
    os.chmod(sub, 0o750)
    if not os.path.lexists(os.path.join(d, "link")):
        os.symlink("README", os.path.join(d, "link"))
    os.utime(os.path.join(d, "link"), (1200000000, 1200000000), follow_symlinks=False)
    os.utime(sub, (1100000000, 1100000000))
    for args in (["-ln", "--time-style=full-iso", "listing"], ["-lnS", "-i", "listing"],
                 ["-ln", "--time-style=+%s", "-d", "listing/subdir", "listing/link"]):
        outs = [ctx.run("coreutils", r, "ls", args, ctx.work) for r in (ctx.rv, ctx.native)]
        same("ls " + " ".join(args), outs[0], outs[1])
    listing = outs[0].decode()
    expect("lrwxrwxrwx" in listing and "1200000000 listing/link -> README" in listing,
           f"ls -ln of the link: {listing!r}")
    full = ctx.run("coreutils", ctx.rv, "ls", ["-ln", "--time-style=full-iso", "listing"],
                   ctx.work).decode()
    expect("-rwxr-xr-x 1" in full and " 77 2001-09-10 01:46:40.000000000 +0000 run.sh" in full,
           f"ls -ln shows run.sh wrongly:\n{full}")


def scenario_python(ctx):
    rv, native, _, _ = ctx.both("python", "python3", ["script.py"],
                                {"script.py": PYTHON_SCRIPT.encode()},
                                env={"PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"})
    same("python3 script.py", rv, native)
    expect(rv.endswith(b"python ok\n") and b"primes 17984 " in rv, f"python printed {rv!r}")


def roundtrip(ctx, scenario, prog, options, suffix):
    data = compressible_data(6, 4 << 20)
    rv, native, rvdir, natdir = ctx.both(scenario, prog, options + ["-c", "data"], {"data": data})
    level = " ".join(options)
    expect(len(rv) < len(data) // 2, f"{prog} {level} made {len(rv)} bytes of {len(data)}")
    if rv != native:
        raise Failure(f"{prog} {level}: riscv64 wrote {len(rv)} bytes, native {len(native)}, "
                      f"first difference at byte "
                      f"{next(i for i, (a, b) in enumerate(zip(rv, native)) if a != b)}"
                      if len(rv) == len(native) else
                      f"{prog} {level}: riscv64 wrote {len(rv)} bytes, native {len(native)}")
    # Each decompresses the other's file (from a file: mmap and read paths).
    with open(os.path.join(rvdir, "other" + suffix), "wb") as f:
        f.write(native)
    with open(os.path.join(natdir, "other" + suffix), "wb") as f:
        f.write(rv)
    back_rv = ctx.run(scenario, ctx.rv, prog, ["-d", "-c", "other" + suffix], rvdir)
    back_native = ctx.run(scenario, ctx.native, prog, ["-d", "-c", "other" + suffix], natdir)
    expect(back_rv == data, f"riscv64 {prog} -d of the native file: not the input")
    expect(back_native == data, f"native {prog} -d of the riscv64 file: not the input")
    # ... and through a pipe, stdin to stdout.
    piped = ctx.run(scenario, ctx.rv, prog, ["-d"], rvdir, stdin=native)
    expect(piped == data, f"riscv64 {prog} -d from a pipe: not the input")


def scenario_xz(ctx):
    # Two threads (guest pthreads); in xz's multi-threaded mode the output
    # does not depend on the number of threads or CPUs.
    roundtrip(ctx, "xz", "xz", ["-6", "-T2"], ".xz")


def scenario_zstd(ctx):
    roundtrip(ctx, "zstd", "zstd", ["-12"], ".zst")


def scenario_sqlite3(ctx):
    sql = sqlite_script(10000).encode()
    rv, native, rvdir, natdir = ctx.both("sqlite3", "sqlite3", ["test.db"], {}, stdin=sql)
    same("sqlite3 test.db < script.sql", rv, native)
    expect(rv.endswith(b"ok\n") and rv.startswith(b"10000|"), f"sqlite3 printed {rv[:200]!r}")
    # Each build reads the database file the other wrote.
    check = SQLITE_CHECK.encode()
    a = ctx.run("sqlite3", ctx.rv, "sqlite3", [os.path.join(natdir, "test.db")], rvdir, check)
    b = ctx.run("sqlite3", ctx.native, "sqlite3", [os.path.join(rvdir, "test.db")], natdir, check)
    same("sqlite3 reading the other's database", a, b)
    expect(a.startswith(b"9000|"), f"the other's database: {a!r}")


def scenario_perl(ctx):
    # perl-base's modules live in the tree: the riscv64 perl finds them
    # through the emulator's sysroot, the native one is told (PERL5LIB).
    # The pipe opens run busybox of the same tree, a riscv64 program
    # that the guest perl runs by execve.
    outs = []
    for side, runner in (("riscv64", ctx.rv), ("native", ctx.native)):
        d = ctx.folder(f"perl-{side}")
        with open(os.path.join(d, "script.pl"), "w") as f:
            f.write(PERL_SCRIPT)
        env = {"PERL_HASH_SEED": "0", "TMPDIR": d}
        if runner is ctx.native:
            env["PERL5LIB"] = os.path.join(runner.root, "usr/lib/x86_64-linux-gnu/perl-base")
        outs.append(ctx.run("perl", runner, "perl", ["script.pl", runner.path("busybox")], d,
                            env=env))
    rv, native = outs
    same("perl script.pl", rv, native)
    expect(rv.endswith(b"pipe exit 3\nperl ok\n") and b"child status 7 said from child 532\n" in rv
           and b"perl agrees: yes\n" in rv, f"perl printed {rv[-400:]!r}")


def host_gcc():
    gcc = shutil.which("gcc") or shutil.which("cc")
    if not gcc:
        raise debian_trees.Unavailable("no host gcc to build the native side of the gcc scenario")
    return gcc


def scenario_gcc(ctx):
    host = host_gcc()
    v = ctx.run("gcc", ctx.rv, "gcc", ["-v"], ctx.work, stderr_out=True)
    expect(b"\nTarget: riscv64-linux-gnu\n" in v, f"riscv64 gcc -v says {v[-600:]!r}")
    d = ctx.folder("gcc-riscv64")
    nd = ctx.folder("gcc-native")
    for folder in (d, nd):
        for name, text in GCC_SOURCES.items():
            with open(os.path.join(folder, name), "w") as f:
                f.write(text)
    # The driver finds cc1 beside itself and as, collect2, ld, the headers,
    # crt files and libraries at their Debian paths, which the emulator
    # looks up under the sysroot (-L) first.
    for args in (["-O2", "-Wall", "-Werror", "-c", "main.c"],
                 ["-O2", "-Wall", "-Werror", "-c", "stats.c"],
                 ["-O2", "-o", "stats", "main.o", "stats.o", "-lm"]):
        ctx.run("gcc", ctx.rv, "gcc", args, d)
    with open(os.path.join(d, "stats"), "rb") as f:
        head = f.read(20)
    expect(head[:4] == b"\x7fELF" and head[18:20] == b"\xf3\x00",
           f"riscv64 gcc did not make a RISC-V ELF file: {head!r}")
    rv = ctx.run("gcc", ctx.rv, os.path.join(d, "stats"), ["200000"], d)
    t0 = time.monotonic()
    subprocess.run([host, "-O2", "-o", "stats", "main.c", "stats.c", "-lm"], cwd=nd, check=True)
    native = subprocess.run(["./stats", "200000"], cwd=nd, check=True,
                            capture_output=True).stdout
    ctx.times[("gcc", "native")] = time.monotonic() - t0
    same("the program riscv64 gcc built", rv, native)
    expect(rv.startswith(b"n 200000 mean ") and b"\nchecksum " in rv, f"stats printed {rv!r}")


SCENARIOS = {
    "busybox": scenario_busybox,
    "coreutils": scenario_coreutils,
    "python": scenario_python,
    "xz": scenario_xz,
    "zstd": scenario_zstd,
    "sqlite3": scenario_sqlite3,
    "perl": scenario_perl,
    "gcc": scenario_gcc,
}

# The trees of the scenarios that have their own (riscv64 packages, amd64
# packages or None for no amd64 side); the others share debian_trees.PACKAGES.
# busybox-static gives perl's pipe opens a program of the same tree.
TREES = {
    "perl": (["perl-base", "busybox-static"], ["perl-base", "busybox-static"]),
    "gcc": (["gcc", "binutils", "libc6-dev"], None),
}


def skip_or_fail(msg):
    ci = os.environ.get("CI")
    print(f"{'FAIL' if ci else 'SKIP'}: {msg}", flush=True)
    return 1 if ci else debian_trees.SKIP


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--emulator", required=True,
                    help="the user-mode emulator's command line (e.g. 'rvjit-user --interp')")
    ap.add_argument("--cache", default="build/debian-cache/user")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("scenarios", nargs="+", choices=list(SCENARIOS) + ["all"])
    opts = ap.parse_args()
    names = list(SCENARIOS) if "all" in opts.scenarios else opts.scenarios
    emulator = shlex.split(opts.emulator)
    found = shutil.which(emulator[0])
    if not found:
        print(f"FAIL: no emulator {emulator[0]}")
        return 1
    emulator[0] = os.path.abspath(found)  # the programs run with PATHs of their own
    roots = {}  # (arch, packages) -> the tree's root

    def root(arch, packages):
        key = (arch, tuple(packages))
        if key not in roots:
            roots[key] = debian_trees.tree(opts.cache, arch, packages)
        return roots[key]

    work = tempfile.mkdtemp(prefix="debian-programs-")
    failed = []
    try:
        for name in names:
            ctx = None
            rv_packages, native_packages = TREES.get(
                name, (debian_trees.PACKAGES, debian_trees.PACKAGES))
            try:
                rv = Runner("riscv64", root("riscv64", rv_packages), emulator)
                native = (Runner("amd64", root("amd64", native_packages))
                          if native_packages else None)
                ctx = Context(rv, native, work)
                SCENARIOS[name](ctx)
                result = "PASS"
            except debian_trees.Unavailable as e:
                return skip_or_fail(str(e))
            except subprocess.CalledProcessError as e:
                result = "FAIL"
                failed.append(name)
                print(f"FAIL {name}: {e}", flush=True)
            except Failure as e:
                result = "FAIL"
                failed.append(name)
                print(f"FAIL {name}: {e}", flush=True)
            times = ctx.times if ctx else {}
            rv_t = times.get((name, "riscv64"), 0)
            nat_t = times.get((name, "native"), 0)
            print(f"{result} {name}: riscv64 {rv_t:.2f} s under {' '.join(emulator)}, "
                  f"native {nat_t:.2f} s", flush=True)
    finally:
        if opts.keep:
            print(f"work folder: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
