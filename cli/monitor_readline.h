/*
 * The monitor's line editor: QEMU's readline (util/readline.c) as seen
 * from a terminal, so the bytes echoed match QEMU's byte for byte.
 *
 * Input keys: printable bytes insert at the cursor; Backspace (0x7f, 0x08)
 * deletes before it, Ctrl-d and ESC [ 3 ~ at it; Ctrl-a / ESC [ 1 ~ /
 * ESC O H go to the start of the line, Ctrl-e / ESC [ 4 ~ / ESC O F to its
 * end; ESC [ D and ESC [ C move left and right; ESC [ A and ESC [ B walk
 * the history (the last READLINE_HISTORY distinct lines, a repeated line
 * moving to the newest place); Enter (CR, LF, CR LF) ends the line. (On a
 * -nographic console Ctrl-a is the mux's escape, so Ctrl-a reaches the
 * editor as "Ctrl-a Ctrl-a", as with QEMU.)
 *
 * Output, after each key, is QEMU's redraw: when the text changed, the
 * cursor goes back to the start of the line (ESC [ D per column), the
 * whole line is written and the rest of the screen line cleared (ESC [ K);
 * then the cursor moves (ESC [ D or ESC [ C per column) to its place. So
 * typing "ab" echoes "a" ESC[K ESC[D "ab" ESC[K.
 */
#ifndef RVJIT_MONITOR_READLINE_H
#define RVJIT_MONITOR_READLINE_H

#include <stdbool.h>
#include <stddef.h>

#define READLINE_LINE_MAX 256
#define READLINE_HISTORY  64

/* Where the editor writes its echo. */
typedef void (*readline_echo_fn)(void *opaque, const char *s);

struct readline {
	char buf[READLINE_LINE_MAX];
	size_t len, cursor;
	/* What the terminal shows: the text and cursor of the last redraw. */
	char shown[READLINE_LINE_MAX];
	size_t shown_len, shown_cursor;
	enum { RL_NORMAL, RL_ESC, RL_CSI, RL_SS3 } esc;
	unsigned esc_param;		 /* the digits of ESC [ N ~ */
	bool saw_cr;			 /* "\r\n" ends one line, not two */
	char *history[READLINE_HISTORY]; /* oldest first, NULL-terminated when not full */
	int hist_pos;			 /* the entry shown by up/down, -1: none */
	readline_echo_fn echo;
	void *opaque;
};

void readline_init(struct readline *rl, readline_echo_fn echo, void *opaque);
void readline_free(struct readline *rl);

/* A new, empty line (after the prompt was written). */
void readline_start(struct readline *rl);

/* Feed one input byte. True when it ended a line: the line is then in
 * rl->buf (NUL-terminated), added to the history, and the editor waits
 * for readline_start. */
bool readline_byte(struct readline *rl, unsigned char b);

#endif
