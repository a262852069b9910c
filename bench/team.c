/* SPDX-License-Identifier: MIT */
/*
 * team.c — the pinned worker team (see team.h for what it guarantees and why).
 */
#include "config.h"
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "team.h"

#ifdef __x86_64__
#define team_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define team_relax() __asm__ __volatile__("yield" ::: "memory")
#else
#define team_relax() __asm__ __volatile__("" ::: "memory")
#endif

struct team_arg {
	struct team *t;
	int idx;
};

static void *team_main(void *p)
{
	struct team_arg *a = p;
	struct team *t = a->t;
	int idx = a->idx, gate, rc;
	bool inited = false;

	free(a);
	/* Nobody touches the barriers (counted for all n workers) before every worker
	 * exists: if one cannot be created, the others just leave. */
	pthread_mutex_lock(&t->gate_lock);
	while (!(gate = t->gate))
		pthread_cond_wait(&t->gate_cond, &t->gate_lock);
	pthread_mutex_unlock(&t->gate_lock);
	if (gate < 0)
		return NULL;
	t->cpu_got[idx] = bench_pin(t->ctx, t->cpu_asked[idx]);
	if (t->cpu_got[idx] < 0) {
		__atomic_store_n(&t->err, t->cpu_got[idx], __ATOMIC_RELAXED);
	} else if (t->ops.init) {
		rc = t->ops.init(t->ops.arg, idx);
		if (rc < 0)
			__atomic_store_n(&t->err, rc, __ATOMIC_RELAXED);
		else
			inited = true;
	} else {
		inited = true;
	}
	pthread_barrier_wait(&t->go);           /* ready */
	for (;;) {
		pthread_barrier_wait(&t->go);
		if (t->quit)
			break;
		t->fn(t->arg, idx);
		pthread_barrier_wait(&t->done);
	}
	if (inited && t->ops.fini)
		t->ops.fini(t->ops.arg, idx);
	return NULL;
}

static void team_gate(struct team *t, int value)
{
	pthread_mutex_lock(&t->gate_lock);
	t->gate = value;
	pthread_cond_broadcast(&t->gate_cond);
	pthread_mutex_unlock(&t->gate_lock);
}

static void team_free(struct team *t)
{
	free(t->th);
	free(t->cpu_asked);
	free(t->cpu_got);
	t->th = NULL;
	t->cpu_asked = t->cpu_got = NULL;
}

int team_init(struct team *t, struct bench_ctx *c, const int *cpus, int n,
	      const struct team_ops *ops)
{
	const char *what = "cannot set up the worker team";
	int i, rc = 0;

	memset(t, 0, sizeof(*t));
	t->ctx = c;
	t->n = n;
	if (ops)
		t->ops = *ops;
	t->th = calloc((size_t)n + 1, sizeof(*t->th));
	t->cpu_asked = calloc((size_t)n + 1, sizeof(int));
	t->cpu_got = calloc((size_t)n + 1, sizeof(int));
	if (!t->th || !t->cpu_asked || !t->cpu_got) {
		team_free(t);
		return -ENOMEM;
	}
	memcpy(t->cpu_asked, cpus, (size_t)n * sizeof(int));
	/* pthread functions return a positive error number. */
	if ((rc = pthread_mutex_init(&t->gate_lock, NULL)) != 0)
		goto fail_free;
	if ((rc = pthread_cond_init(&t->gate_cond, NULL)) != 0)
		goto fail_mutex;
	/* Participants: the workers and this thread. */
	if ((rc = pthread_barrier_init(&t->go, NULL, (unsigned)n + 1)) != 0)
		goto fail_cond;
	if ((rc = pthread_barrier_init(&t->done, NULL, (unsigned)n + 1)) != 0)
		goto fail_go;
	for (i = 0; i < n; i++) {
		struct team_arg *a = malloc(sizeof(*a));
		if (!a) {
			rc = ENOMEM;
			break;
		}
		*a = (struct team_arg){ .t = t, .idx = i };
		rc = pthread_create(&t->th[i], NULL, team_main, a);
		if (rc) {
			free(a);
			break;
		}
	}
	if (rc) {
		/* Join-on-failure: the created workers leave through the gate. */
		what = "cannot start a worker thread";
		team_gate(t, -1);
		for (int k = 0; k < i; k++)
			pthread_join(t->th[k], NULL);
		pthread_barrier_destroy(&t->done);
		goto fail_go;
	}
	t->live = true;
	team_gate(t, 1);
	pthread_barrier_wait(&t->go);           /* all pinned and initialised */
	if (t->err < 0) {
		rc = t->err;
		locus_error("bench %s: cannot prepare a worker thread: %s", c->info->name,
			    strerror(-rc));
		team_destroy(t);
	}
	return rc;

fail_go:
	pthread_barrier_destroy(&t->go);
fail_cond:
	pthread_cond_destroy(&t->gate_cond);
fail_mutex:
	pthread_mutex_destroy(&t->gate_lock);
fail_free:
	team_free(t);
	locus_error("bench %s: %s: %s", c->info->name, what, strerror(rc));
	return -rc;
}

void team_start(struct team *t, void (*fn)(void *arg, int idx), void *arg)
{
	t->fn = fn;
	t->arg = arg;
	/* Nobody spins in team_sync now: every worker passed `done` (or never ran). */
	__atomic_store_n(&t->arrived, 0, __ATOMIC_RELAXED);
	pthread_barrier_wait(&t->go);
}

void team_wait(struct team *t)
{
	pthread_barrier_wait(&t->done);
}

void team_run(struct team *t, void (*fn)(void *arg, int idx), void *arg)
{
	team_start(t, fn, arg);
	team_wait(t);
}

void team_sync(struct team *t)
{
	unsigned spins = 0;

	__atomic_fetch_add(&t->arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&t->arrived, __ATOMIC_ACQUIRE) < (unsigned)t->n) {
		team_relax();
		/* Only matters when threads outnumber the CPUs they really run on. */
		if (++spins % 4096 == 0)
			sched_yield();
	}
}

void team_destroy(struct team *t)
{
	if (!t->live)
		return;
	t->quit = true;
	pthread_barrier_wait(&t->go);
	for (int i = 0; i < t->n; i++)
		pthread_join(t->th[i], NULL);
	pthread_barrier_destroy(&t->go);
	pthread_barrier_destroy(&t->done);
	pthread_mutex_destroy(&t->gate_lock);
	pthread_cond_destroy(&t->gate_cond);
	t->live = false;
	team_free(t);
}
