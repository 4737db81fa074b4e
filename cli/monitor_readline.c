/*
 * The monitor's line editor (see monitor_readline.h): one state machine
 * over the input bytes, and one redraw function that compares the line
 * with what the terminal shows.
 */
#include "monitor_readline.h"
#include <stdlib.h>
#include <string.h>

void readline_init(struct readline *rl, readline_echo_fn echo, void *opaque)
{
	memset(rl, 0, sizeof(*rl));
	rl->echo = echo;
	rl->opaque = opaque;
	rl->hist_pos = -1;
}

void readline_free(struct readline *rl)
{
	for (int i = 0; i < READLINE_HISTORY; i++)
		free(rl->history[i]);
	memset(rl->history, 0, sizeof(rl->history));
}

void readline_start(struct readline *rl)
{
	rl->len = rl->cursor = 0;
	rl->shown_len = rl->shown_cursor = 0;
	rl->esc = RL_NORMAL;
}

static void echo_repeat(struct readline *rl, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rl->echo(rl->opaque, s);
}

/* Make the terminal show rl->buf with the cursor at rl->cursor. */
static void redraw(struct readline *rl)
{
	if (rl->len != rl->shown_len || memcmp(rl->buf, rl->shown, rl->len)) {
		echo_repeat(rl, "\033[D", rl->shown_cursor);
		rl->buf[rl->len] = '\0';
		rl->echo(rl->opaque, rl->buf);
		rl->echo(rl->opaque, "\033[K");
		memcpy(rl->shown, rl->buf, rl->len);
		rl->shown_len = rl->len;
		rl->shown_cursor = rl->len;
	}
	if (rl->cursor > rl->shown_cursor)
		echo_repeat(rl, "\033[C", rl->cursor - rl->shown_cursor);
	else
		echo_repeat(rl, "\033[D", rl->shown_cursor - rl->cursor);
	rl->shown_cursor = rl->cursor;
}

static void insert(struct readline *rl, char c)
{
	if (rl->len + 1 >= READLINE_LINE_MAX)
		return;
	memmove(rl->buf + rl->cursor + 1, rl->buf + rl->cursor, rl->len - rl->cursor);
	rl->buf[rl->cursor++] = c;
	rl->len++;
}

static void delete_at(struct readline *rl, size_t at)
{
	memmove(rl->buf + at, rl->buf + at + 1, rl->len - at - 1);
	rl->len--;
}

static int history_count(const struct readline *rl)
{
	int n = 0;
	while (n < READLINE_HISTORY && rl->history[n])
		n++;
	return n;
}

/* A line entered: newest last; an equal older entry moves to the end,
 * and when full the oldest goes. */
static void history_add(struct readline *rl, const char *line)
{
	rl->hist_pos = -1;
	if (!*line)
		return;
	int n = history_count(rl);
	char *entry = NULL;
	for (int i = 0; i < n; i++)
		if (!strcmp(rl->history[i], line)) {
			entry = rl->history[i];
			memmove(rl->history + i, rl->history + i + 1,
				(size_t)(n - i - 1) * sizeof(char *));
			rl->history[--n] = NULL;
			break;
		}
	if (!entry && !(entry = strdup(line)))
		return;
	if (n == READLINE_HISTORY) {
		free(rl->history[0]);
		memmove(rl->history, rl->history + 1, (size_t)(n - 1) * sizeof(char *));
		n--;
	}
	rl->history[n] = entry;
}

static void show_history(struct readline *rl, const char *line)
{
	const size_t n = strlen(line);
	rl->len = rl->cursor = n < READLINE_LINE_MAX ? n : READLINE_LINE_MAX - 1;
	memcpy(rl->buf, line, rl->len);
}

static void history_up(struct readline *rl)
{
	if (rl->hist_pos == 0)
		return;
	if (rl->hist_pos < 0)
		rl->hist_pos = history_count(rl);
	rl->hist_pos--;
	if (rl->hist_pos >= 0)
		show_history(rl, rl->history[rl->hist_pos]);
}

static void history_down(struct readline *rl)
{
	if (rl->hist_pos < 0)
		return;
	if (rl->hist_pos + 1 < READLINE_HISTORY && rl->history[rl->hist_pos + 1]) {
		show_history(rl, rl->history[++rl->hist_pos]);
	} else {
		rl->hist_pos = -1;
		show_history(rl, "");
	}
}

/* ESC [ N ~ (the keypad's Home, Delete, End). */
static void csi_tilde(struct readline *rl)
{
	switch (rl->esc_param) {
	case 1:
		rl->cursor = 0;
		break;
	case 3:
		if (rl->cursor < rl->len)
			delete_at(rl, rl->cursor);
		break;
	case 4:
		rl->cursor = rl->len;
		break;
	}
}

bool readline_byte(struct readline *rl, unsigned char b)
{
	switch (rl->esc) {
	case RL_ESC:
		rl->esc = b == '[' ? RL_CSI : b == 'O' ? RL_SS3 : RL_NORMAL;
		rl->esc_param = 0;
		return false;
	case RL_CSI:
		if (b >= '0' && b <= '9') {
			rl->esc_param = rl->esc_param * 10 + (b - '0');
			return false;
		}
		rl->esc = RL_NORMAL;
		if (b == 'A' || b == 'F')
			history_up(rl);
		else if (b == 'B' || b == 'E')
			history_down(rl);
		else if (b == 'D' && rl->cursor > 0)
			rl->cursor--;
		else if (b == 'C' && rl->cursor < rl->len)
			rl->cursor++;
		else if (b == '~')
			csi_tilde(rl);
		redraw(rl);
		return false;
	case RL_SS3:
		rl->esc = RL_NORMAL;
		if (b == 'H')
			rl->cursor = 0;
		else if (b == 'F')
			rl->cursor = rl->len;
		redraw(rl);
		return false;
	case RL_NORMAL:
		break;
	}
	if (b == '\n' && rl->saw_cr) {
		rl->saw_cr = false;
		return false;
	}
	rl->saw_cr = b == '\r';
	switch (b) {
	case '\r':
	case '\n':
		rl->buf[rl->len] = '\0';
		history_add(rl, rl->buf);
		rl->echo(rl->opaque, "\n");
		return true;
	case 0x01: /* Ctrl-a */
		rl->cursor = 0;
		break;
	case 0x04: /* Ctrl-d */
		if (rl->cursor < rl->len)
			delete_at(rl, rl->cursor);
		break;
	case 0x05: /* Ctrl-e */
		rl->cursor = rl->len;
		break;
	case 0x1b:
		rl->esc = RL_ESC;
		return false;
	case 0x7f:
	case 0x08:
		if (rl->cursor > 0)
			delete_at(rl, --rl->cursor);
		break;
	default:
		if (b >= 32 && b != 0x7f)
			insert(rl, (char)b);
		break;
	}
	redraw(rl);
	return false;
}
