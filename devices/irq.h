/*
 * An interrupt line from a device to an interrupt controller (TinyEMU's
 * IRQSignal idea): the device raises or lowers a level and does not know
 * who listens. On the virt board every device line goes to the PLIC.
 */
#ifndef RVJIT_IRQ_H
#define RVJIT_IRQ_H

#include <stdbool.h>

struct irq_line {
	void (*set)(void *opaque, unsigned irq, bool level);
	void *opaque;
	unsigned irq;
};

static inline void irq_set(const struct irq_line *line, bool level)
{
	if (line->set)
		line->set(line->opaque, line->irq, level);
}

#endif
