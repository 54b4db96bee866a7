// SPDX-License-Identifier: MIT
/*
 * A small vsnprintf for the kit: %d %i %u %x %X %p %s %c %%, the l/ll/z
 * length modifiers, field width and zero padding.  Output is always
 * NUL-terminated and truncated to the buffer; the return value is the
 * length the full output would have had, as in C99.
 */
#include "gk.h"

struct out {
	char *buf;
	size_t size, len;
};

static void emit(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void emit_num(struct out *o, uint64_t v, unsigned base, bool upper,
		     bool neg, unsigned width, char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	unsigned n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width > n) {
		emit(o, pad);
		width--;
	}
	while (n)
		emit(o, tmp[--n]);
}

static uint64_t arg_unsigned(va_list *ap, int lng)
{
	if (lng >= 1)
		return va_arg(*ap, uint64_t);
	return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(va_list *ap, int lng)
{
	if (lng >= 1)
		return va_arg(*ap, int64_t);
	return va_arg(*ap, int);
}

static void emit_str(struct out *o, const char *s, unsigned width)
{
	size_t n = strlen(s);

	while (width > n) {
		emit(o, ' ');
		width--;
	}
	while (*s)
		emit(o, *s++);
}

static void conv(struct out *o, char c, va_list *ap, int lng, unsigned width,
		 char pad)
{
	switch (c) {
	case 'd':
	case 'i': {
		int64_t v = arg_signed(ap, lng);
		uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

		emit_num(o, mag, 10, false, v < 0, width, pad);
		break;
	}
	case 'u':
		emit_num(o, arg_unsigned(ap, lng), 10, false, false, width, pad);
		break;
	case 'x':
	case 'X':
		emit_num(o, arg_unsigned(ap, lng), 16, c == 'X', false, width,
			 pad);
		break;
	case 'p':
		emit(o, '0');
		emit(o, 'x');
		emit_num(o, (uintptr_t)va_arg(*ap, void *), 16, false, false,
			 width, pad);
		break;
	case 's': {
		const char *s = va_arg(*ap, const char *);

		emit_str(o, s ? s : "(null)", width);
		break;
	}
	case 'c':
		emit(o, (char)va_arg(*ap, int));
		break;
	default:
		emit(o, '%');
		emit(o, c);
		break;
	}
}

int gk_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list aq;

	va_copy(aq, ap);
	for (; *fmt; fmt++) {
		unsigned width = 0;
		char pad = ' ';
		int lng = 0;

		if (*fmt != '%') {
			emit(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '%') {
			emit(&o, '%');
			continue;
		}
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		if (!*fmt)
			break;
		conv(&o, *fmt, &aq, lng, width, pad);
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int gk_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = gk_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void gk_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	gk_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (const char *p = buf; *p; p++)
		gk_putc(*p);
}
