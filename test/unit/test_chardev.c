/*
 * Which host end the serial line and the monitor get (cli/chardev_parse.c,
 * cli/options_chardev.c): -chardev's keys, the legacy -serial/-monitor
 * forms as implicit chardevs, QEMU's defaults and the references resolved
 * after parsing. Opening them is test/chardev_backends.py's part.
 */
#include "cli/options.h"
#include <criterion/criterion.h>
#include <string.h>

TestSuite(chardev, .timeout = 30);

#define MAX_ARGS 16

static int parse(struct options *o, char *err, size_t errlen, const char *const *words)
{
	char *argv[MAX_ARGS + 1] = {"rvjit"};
	int argc = 1;
	while (words[argc - 1]) {
		cr_assert_lt(argc, MAX_ARGS);
		argv[argc] = (char *)words[argc - 1];
		argc++;
	}
	return options_parse(o, argc, argv, err, errlen);
}

#define PARSE(o, err, ...) parse(o, err, sizeof(err), (const char *const[]){__VA_ARGS__, NULL})

static const struct chardev_spec *serial_spec(const struct options *o)
{
	cr_assert_geq(o->serial_chardev, 0);
	return &o->chardevs[o->serial_chardev];
}

Test(chardev, legacy_tcp_server_is_an_implicit_serial0)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-serial", "tcp::4444,server,nowait", "k"), 0, "%s", err);
	const struct chardev_spec *s = serial_spec(&o);
	cr_expect_str_eq(s->id, "serial0");
	cr_expect_eq(s->backend, CHARDEV_SOCKET);
	cr_expect_str_eq(s->port, "4444");
	cr_expect_str_eq(s->host, "");
	cr_expect(s->server);
	cr_expect_not(s->wait);
	cr_expect_not(s->mux);
	/* QEMU's -nographic: the monitor alone on stdio. */
	cr_assert_geq(o.monitor_chardev, 0);
	cr_expect_neq(o.monitor_chardev, o.serial_chardev);
	cr_expect_eq(o.chardevs[o.monitor_chardev].backend, CHARDEV_STDIO);
	options_free(&o);
}

Test(chardev, chardev_socket_with_qemu_keys)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-serial", "chardev:s0", "-chardev",
			   "socket,id=s0,port=4444,host=localhost,server=on,wait=off,telnet=on",
			   "k"),
		     0, "order does not matter: %s", err);
	const struct chardev_spec *s = serial_spec(&o);
	cr_expect_str_eq(s->id, "s0");
	cr_expect_str_eq(s->host, "localhost");
	cr_expect(s->server && !s->wait && s->telnet);
	cr_expect_eq(s->users, 1);
	options_free(&o);
}

Test(chardev, unix_file_pty_null)
{
	struct options o;
	char err[256];
	cr_assert_eq(
	    PARSE(&o, err, "-serial", "unix:/tmp/s.sock,server=on", "-monitor", "pty", "k"), 0,
	    "%s", err);
	cr_expect_str_eq(serial_spec(&o)->path, "/tmp/s.sock");
	cr_expect(serial_spec(&o)->wait, "wait=on is a server's default");
	cr_expect_eq(o.chardevs[o.monitor_chardev].backend, CHARDEV_PTY);
	cr_expect_str_eq(o.chardevs[o.monitor_chardev].id, "compat_monitor0");
	options_free(&o);
	cr_assert_eq(PARSE(&o, err, "-chardev", "file,id=f,path=log,append=on", "-serial",
			   "chardev:f", "-serial", "null", "k"),
		     0, "%s", err);
	cr_expect(serial_spec(&o)->append, "the first -serial is the UART's");
	options_free(&o);
}

Test(chardev, stdio_forms_share_one_mux)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-nographic", "k"), 0, "%s", err);
	cr_expect_eq(o.serial_chardev, o.monitor_chardev, "the default: both on the stdio mux");
	cr_expect(serial_spec(&o)->mux);
	cr_expect_not(serial_spec(&o)->signal, "Ctrl-C goes to the guest");
	options_free(&o);
	cr_assert_eq(PARSE(&o, err, "-serial", "mon:stdio", "-monitor", "none", "k"), 0, "%s", err);
	cr_expect_eq(o.monitor_chardev, -1, "-monitor none wins over mon:");
	options_free(&o);
	cr_assert_eq(PARSE(&o, err, "-nodefaults", "-serial", "mon:tcp::5,server=on", "k"), 0, "%s",
		     err);
	cr_expect_eq(o.serial_chardev, o.monitor_chardev, "mon: brings the monitor");
	cr_expect(serial_spec(&o)->mux);
	options_free(&o);
}

Test(chardev, mux_lets_two_share)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-chardev", "socket,id=x,path=/tmp/m,server=on,mux=on",
			   "-serial", "chardev:x", "-mon", "x", "k"),
		     0, "%s", err);
	cr_expect_eq(o.serial_chardev, o.monitor_chardev);
	cr_expect_eq(serial_spec(&o)->users, 2);
	options_free(&o);
}

Test(chardev, daemonize_allows_sockets)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-daemonize", "-serial", "tcp::4444,server=on,wait=off", "k"),
		     0, "%s", err);
	cr_expect_geq(o.serial_chardev, 0);
	cr_expect_eq(o.monitor_chardev, -1, "the default monitor (stdio) goes");
	options_free(&o);
}

Test(chardev, errors_in_qemu_words)
{
	static const struct {
		const char *args[6];
		const char *msg;
	} cases[] = {
	    {{"-chardev", "vc,id=x"}, "-chardev vc,id=x: 'vc' is not a valid char driver name"},
	    {{"-chardev", "pty"}, "-chardev pty: chardev: no id specified"},
	    {{"-chardev", "null,id=a", "-chardev", "pty,id=a"},
	     "-chardev pty,id=a: Duplicate ID 'a' for chardev"},
	    {{"-chardev", "null,id=a", "-mon", "a", "-serial", "chardev:a"},
	     "-mon a: Device 'a' is in use"},
	    {{"-serial", "tcp:4444"}, "-serial tcp:4444: '4444' is not [HOST]:PORT"},
	    {{"-monitor", "vc"}, "-monitor vc: 'vc' is not a valid char driver"},
	    {{"-mon", "chardev=m,mode=control", "-chardev", "null,id=m"},
	     "-mon chardev=m,mode=control: mode=control (QMP) is not supported"},
	    {{"-chardev", "file,id=f,port=3"},
	     "-chardev file,id=f,port=3: Invalid parameter 'port'"},
	    {{"-chardev", "socket,id=s,host=h,port=1,path=/p"},
	     "-chardev socket,id=s,host=h,port=1,path=/p: chardev: socket: give path= (unix) or "
	     "host= and port= (TCP), not both"},
	    {{"-daemonize", "-chardev", "stdio,id=c", "-serial", "chardev:c"},
	     "-serial stdio: cannot use stdio with -daemonize"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[MAX_ARGS] = {"rvjit"};
		int argc = 1;
		for (int j = 0; j < 6 && cases[i].args[j]; j++)
			argv[argc++] = (char *)cases[i].args[j];
		argv[argc++] = "k";
		struct options o;
		char err[256] = "";
		cr_expect_eq(options_parse(&o, argc, argv, err, sizeof(err)), -1, "case %zu", i);
		cr_expect_str_eq(err, cases[i].msg, "case %zu", i);
		options_free(&o);
	}
}
